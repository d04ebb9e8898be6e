package dev.strata.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.common.process.ChildSignals;
import dev.strata.common.testing.Ports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/** The packaged {@code strata} command run as a real child process, as a user runs it. */
final class StrataProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    final Path runDir;
    final Process process;
    final Path output;

    private StrataProcess(Path runDir, Process process, Path output) {
        this.runDir = runDir;
        this.process = process;
        this.output = output;
    }

    /** {@code strata up ARGS --config <dir>/strata.yaml} with {@code yaml} as the file's content. */
    static StrataProcess up(Path dir, String yaml, String... args) throws IOException {
        // signals at their default actions, as in a terminal: a runner in the background of a script
        // ignores SIGINT, and the child would inherit that (the JVM cannot take it back)
        return start(dir, yaml, ChildSignals.allDefault(), args);
    }

    /** As {@link #up}, started as {@code nohup strata up ...} starts it: SIGHUP ignored. */
    static StrataProcess upUnderNohup(Path dir, String yaml, String... args) throws IOException {
        return start(dir, yaml, ChildSignals.allDefaultBut("HUP"), args);
    }

    private static StrataProcess start(Path dir, String yaml, List<String> signals, String... args) throws IOException {
        Path config = dir.resolve("strata.yaml");
        Files.writeString(config, yaml);
        List<String> cmd = new ArrayList<>(signals);
        cmd.addAll(List.of(java(), "-jar", jar().toString(), "up", "--config", config.toString()));
        cmd.addAll(List.of(args));
        Path output = dir.resolve("up-" + System.nanoTime() + ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(output.toFile())
                .directory(dir.toFile()).start();
        return new StrataProcess(dir.resolve("run"), p, output);
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static Path jar() {
        return Path.of(System.getProperty("strata.jar", "../strata-cli/target/strata.jar")).toAbsolutePath().normalize();
    }

    /** Links nodes get consecutive ports from {@code ports.links}; the tests start at most this many. */
    private static final int LINKS_PORTS = 3;

    /**
     * A YAML {@code up} section on free ports inside {@code dir}. The links nodes' consecutive ports are
     * checked too, and no other port is picked among them.
     */
    static String upSection(Path dir, int stage) throws IOException {
        return upSection(dir, stage, 1);
    }

    /** As {@link #upSection(Path, int)}, for {@code databaseNodes} database nodes: replica N listens on the primary's port + N. */
    static String upSection(Path dir, int stage, int databaseNodes) throws IOException {
        int links = freeRange(LINKS_PORTS);
        Set<Integer> taken = new HashSet<>();
        for (int i = 0; i < LINKS_PORTS; i++) {
            taken.add(links + i);
        }
        int admins = freeRange(GATEWAY_PORTS, taken);
        int moreGateways = freeRange(GATEWAY_PORTS - 1, taken);
        int postgres = freeRange(databaseNodes, taken);
        return """
                up:
                  stage: %d
                  run_dir: %s
                  restart: false
                  startup_timeout: 150s
                  ports: {gateway: %d, gateway_admin: %d, more_gateways: %d, links: %d, postgres: %d, redis: %d}
                """.formatted(stage, dir.resolve("run"), freePort(taken), admins, moreGateways, links, postgres,
                freePort(taken));
    }

    /** Gateways get consecutive admin ports from {@code ports.gateway_admin}; the tests start at most this many. */
    private static final int GATEWAY_PORTS = 2;

    /** As {@link #freeRange(int)}, none of them in {@code taken}, to which they are added. */
    private static int freeRange(int n, Set<Integer> taken) throws IOException {
        while (true) {
            int base = freeRange(n);
            boolean clash = false;
            for (int i = 0; i < n; i++) {
                clash |= taken.contains(base + i);
            }
            if (!clash) {
                for (int i = 0; i < n; i++) {
                    taken.add(base + i);
                }
                return base;
            }
        }
    }

    /**
     * A free port not in {@code taken}, which it is added to. Ports come from below the kernel's range
     * for outgoing connections: the nodes bind them seconds after the pick, while the stack opens many
     * connections (database pools, probes), one of which could otherwise take one (a stage test failed
     * that way).
     */
    private static int freePort(Set<Integer> taken) throws IOException {
        while (true) {
            int p = Ports.free(LINKS_PORTS);
            if (taken.add(p)) {
                return p;
            }
        }
    }

    /** The first of {@code n} consecutive ports that are all free now. */
    private static int freeRange(int n) throws IOException {
        while (true) {
            int base = Ports.free(LINKS_PORTS);
            if (base + n - 1 <= 65535 && Ports.allFree(base, n)) {
                return base;
            }
        }
    }

    /** Waits for {@code run/topology.json}, failing early if the command exits. */
    JsonNode awaitTopology(Duration timeout) throws Exception {
        Path file = runDir.resolve("topology.json");
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(file)) {
                return JSON.readTree(file.toFile());
            }
            if (!process.isAlive()) {
                throw new AssertionError("strata up exited with " + process.exitValue() + ":\n" + output());
            }
            Thread.sleep(250);
        }
        throw new AssertionError("no topology.json within " + timeout + ":\n" + output());
    }

    /** {@code run/topology.json} as it is now: the supervisor rewrites it with the new pid of a node it restarted. */
    JsonNode topology() throws IOException {
        return JSON.readTree(runDir.resolve("topology.json").toFile());
    }

    /** The non-access-log lines of node {@code name}'s log, for failure messages. */
    String log(String name) {
        try {
            return String.join("\n", Files.readAllLines(runDir.resolve("logs").resolve(name + ".log")).stream()
                    .filter(l -> !l.contains("\" 200 ") && !l.contains("\" 302 ")).toList());
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    String output() throws IOException {
        return Files.exists(output) ? Files.readString(output) : "";
    }

    static JsonNode node(JsonNode topology, String name) {
        for (JsonNode n : topology.get("nodes")) {
            if (n.get("name").asText().equals(name)) {
                return n;
            }
        }
        throw new AssertionError("no node " + name + " in " + topology);
    }

    /** Every process of the topology: the nodes and all their descendants (e.g. PostgreSQL's). */
    static Set<ProcessHandle> processesOf(JsonNode topology) {
        Set<ProcessHandle> all = new HashSet<>();
        for (JsonNode n : topology.get("nodes")) {
            ProcessHandle.of(n.get("pid").asLong()).ifPresent(h -> {
                all.add(h);
                h.descendants().forEach(all::add);
            });
        }
        return all;
    }

    void signal(String name) throws Exception {
        new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
    }

    int awaitExit(Duration timeout) throws Exception {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("strata up still running after " + timeout + ":\n" + output());
        }
        return process.exitValue();
    }

    @Override
    public void close() throws Exception {
        if (process.isAlive()) {
            signal("TERM");
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
