package dev.strata.cli.up;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Starts a topology's nodes as child processes in order, waits until each is ready, publishes
 * {@code run/topology.json}, restarts a node that dies, and stops them all in reverse order.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Order.</b> Nodes start in plan order (database, services, gateway) and stop in reverse, so
 *       that a service flushes its pending writes while the database still runs.</li>
 *   <li><b>One supervisor per run folder.</b> An exclusive file lock on {@code run/.lock} keeps two
 *       {@code up} commands from fighting over the same data directory and ports.</li>
 *   <li><b>Restarts.</b> A node that exits while the supervisor is not stopping is started again
 *       after a back-off that doubles from 1 s to 30 s; {@code topology.json} then shows its new pid.
 *       A restart leaves out the arguments of the first start ({@code --fresh}): a database that
 *       crashed comes back with its data.</li>
 * </ul>
 * Threading: a node is started, and {@link #children} grows, only under {@code this} and while
 * {@link #stopping} is false; {@link #stop()} sets it under {@code this}, so no node starts after a
 * stop began.
 */
public final class Supervisor {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path runDir;
    private final UpConfig up;
    private final List<String> javaCommand;
    private final Map<String, String> environment;
    private final PrintStream out;
    private final List<Child> children = new ArrayList<>();
    private final ScheduledExecutorService restarts = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "strata-restarts");
        t.setDaemon(true);
        return t;
    });
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;
    private FileChannel lockChannel;
    private FileLock lock;

    /**
     * @param javaCommand how to start a node: the java binary and {@code -jar strata.jar}; the
     *                    node's JVM options go between the two
     */
    public Supervisor(Path runDir, UpConfig up, List<String> javaCommand, Map<String, String> environment,
                      PrintStream out) {
        this.runDir = runDir;
        this.up = up;
        this.javaCommand = List.copyOf(javaCommand);
        this.environment = Map.copyOf(environment);
        this.out = out;
    }

    /** Starts every node; throws (after stopping what started) when one is not ready in time. */
    void start(List<NodeSpec> specs) throws IOException, InterruptedException {
        acquireLock();
        Files.deleteIfExists(runDir.resolve("topology.json"));
        checkPorts(specs);
        for (NodeSpec spec : specs) {
            long begun = System.nanoTime();
            out.printf("strata: starting %s%s%n", spec.name(), spec.role().equals("gateway")
                    ? " (it warms up before it takes traffic)" : "");
            Child child = new Child(spec, command(spec, true), command(spec, false), runDir.resolve("logs").resolve(spec.name() + ".log"),
                    environment);
            synchronized (this) {
                if (stopping) {
                    throw new NodeFailedException("stopped while starting " + spec.name());
                }
                children.add(child);
                child.start();
            }
            awaitReady(child);
            out.printf("strata: %s ready at %s (%.1f s)%n", spec.name(), spec.url(), (System.nanoTime() - begun) / 1e9);
            watch(child, Duration.ofSeconds(1));
        }
        writeTopology();
    }

    /** Every port the nodes will listen on must be free now: a taken one is named before anything starts. */
    private static void checkPorts(List<NodeSpec> specs) {
        for (NodeSpec spec : specs) {
            for (java.net.URI uri : spec.listens()) {
                try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
                    probe.bind(new java.net.InetSocketAddress(uri.getHost(), uri.getPort()));
                } catch (IOException e) {
                    throw new NodeFailedException("port " + uri.getPort() + " on " + uri.getHost() + " (" + spec.name()
                            + (uri.toString().equals(spec.adminUrl()) ? " admin" : "") + ") is taken: another program "
                            + "listens there; stop it or choose other ports in the up.ports section");
                }
            }
        }
    }

    /** The last lines of a node's log that say something (access-log lines left out), for a failure message. */
    private String lastLines(Child child, int n) {
        try {
            List<String> lines = Files.readAllLines(logOf(child)).stream()
                    .filter(l -> !l.isBlank() && !l.matches(".*\" [1-5]\\d\\d \\d+.*")).toList();
            List<String> tail = lines.subList(Math.max(0, lines.size() - n), lines.size());
            return tail.isEmpty() ? "" : "\n    " + String.join("\n    ", tail);
        } catch (IOException e) {
            return "";
        }
    }

    /** The node's command line; {@code first}: of its first start, else of a restart. */
    private List<String> command(NodeSpec spec, boolean first) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaCommand.get(0));
        cmd.addAll(UpConfig.JvmOptions.forThisJdk(spec.jvmOptions())); // the nodes run on this same JDK
        cmd.addAll(javaCommand.subList(1, javaCommand.size()));
        cmd.add(spec.role());
        cmd.add("--config");
        cmd.add(spec.configFile().toString());
        cmd.addAll(spec.extraArgs());
        if (first) {
            cmd.addAll(spec.firstStartArgs());
        }
        return cmd;
    }

    private void awaitReady(Child child) throws InterruptedException {
        long deadline = System.nanoTime() + up.startupTimeout().toNanos();
        while (!child.spec().readiness().ready()) {
            if (!child.alive()) {
                throw new NodeFailedException(child.spec().name() + " exited with status "
                        + child.process().exitValue() + " while starting; the end of " + logOf(child) + ":"
                        + lastLines(child, 12));
            }
            if (System.nanoTime() > deadline) {
                throw new NodeFailedException(child.spec().name() + " not ready within "
                        + up.startupTimeout().toSeconds() + "s; the end of " + logOf(child) + ":" + lastLines(child, 12));
            }
            Thread.sleep(200);
        }
    }

    private Path logOf(Child child) {
        return runDir.resolve("logs").resolve(child.spec().name() + ".log");
    }

    private void watch(Child child, Duration backoff) {
        Process process = child.process();
        process.onExit().thenRun(() -> {
            if (stopping) {
                return;
            }
            out.printf("strata: %s (pid %d) exited with status %d%s%n", child.spec().name(), process.pid(),
                    process.exitValue(), up.restart() ? "; restarting in " + backoff.toSeconds() + "s" : "");
            if (up.restart()) {
                restarts.schedule(() -> restart(child, backoff), backoff.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    private void restart(Child child, Duration backoff) {
        if (stopping) {
            return;
        }
        Duration next = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(30)) > 0
                ? Duration.ofSeconds(30) : backoff.multipliedBy(2);
        try {
            synchronized (this) {
                if (stopping) {
                    return;
                }
                child.start();
            }
            watch(child, next);
            writeTopology();
            out.printf("strata: %s restarted (pid %d)%n", child.spec().name(), child.pid());
        } catch (IOException e) {
            out.printf("strata: cannot restart %s: %s%n", child.spec().name(), e.getMessage());
            restarts.schedule(() -> restart(child, next), next.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Stops every node in reverse start order; safe to call more than once. */
    public synchronized void stop() {
        if (stopping && stopped.getCount() == 0) {
            return;
        }
        stopping = true;
        restarts.shutdownNow();
        for (int i = children.size() - 1; i >= 0; i--) {
            Child child = children.get(i);
            if (child.alive()) {
                out.printf("strata: stopping %s (pid %d)%n", child.spec().name(), child.pid());
            }
            child.stop(up.stopTimeout());
        }
        try {
            Files.deleteIfExists(runDir.resolve("topology.json"));
        } catch (IOException ignored) {
            // best effort: a stale file names dead pids only
        }
        releaseLock();
        stopped.countDown();
    }

    void awaitStop() throws InterruptedException {
        stopped.await();
    }

    List<NodeSpec> nodes() {
        return children.stream().map(Child::spec).toList();
    }

    private synchronized void writeTopology() throws IOException {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode nodes = root.putArray("nodes");
        for (Child child : children) {
            ObjectNode node = nodes.addObject();
            node.put("name", child.spec().name());
            node.put("role", child.spec().role());
            node.put("url", child.spec().url());
            if (child.spec().adminUrl() != null) {
                node.put("admin_url", child.spec().adminUrl());
            }
            node.put("pid", child.pid());
        }
        Path tmp = runDir.resolve("topology.json.tmp");
        Files.writeString(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n");
        Files.move(tmp, runDir.resolve("topology.json"), StandardCopyOption.REPLACE_EXISTING,
                StandardCopyOption.ATOMIC_MOVE);
    }

    private void acquireLock() throws IOException {
        Files.createDirectories(runDir);
        lockChannel = FileChannel.open(runDir.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        lock = lockChannel.tryLock();
        if (lock == null) {
            lockChannel.close();
            throw new NodeFailedException("another ./strata up is running on " + runDir + " (run/.lock is held)");
        }
    }

    private void releaseLock() {
        try {
            if (lock != null) {
                lock.release();
            }
            if (lockChannel != null) {
                lockChannel.close();
            }
        } catch (IOException ignored) {
            // the lock dies with the process anyway
        }
    }

    /** A node could not be started; the message says which and where its log is. */
    static final class NodeFailedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NodeFailedException(String message) {
            super(message);
        }
    }
}
