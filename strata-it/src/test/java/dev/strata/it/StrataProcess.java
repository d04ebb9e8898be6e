package dev.strata.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
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
        Path config = dir.resolve("strata.yaml");
        Files.writeString(config, yaml);
        List<String> cmd = new ArrayList<>(List.of(java(), "-jar", jar().toString(), "up", "--config", config.toString()));
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
        int links = freeRange(LINKS_PORTS);
        Set<Integer> taken = new HashSet<>();
        for (int i = 0; i < LINKS_PORTS; i++) {
            taken.add(links + i);
        }
        return """
                up:
                  stage: %d
                  run_dir: %s
                  restart: false
                  startup_timeout: 150s
                  ports: {gateway: %d, gateway_admin: %d, links: %d, postgres: %d}
                """.formatted(stage, dir.resolve("run"), freePort(taken), freePort(taken), links, freePort(taken));
    }

    /**
     * A port that is free now, below the kernel's range for outgoing connections' local ports: the
     * nodes bind their ports seconds after the pick, and meanwhile the stack opens many connections
     * (database pools, probes), one of which could otherwise take it (a stage test failed that way).
     */
    static int freePort() throws IOException {
        int[] range = unassigned();
        for (int i = 0; range[1] - range[0] > 100 && i < 1000; i++) {
            int p = range[0] + ThreadLocalRandom.current().nextInt(range[1] - range[0]);
            if (allFree(p, 1)) {
                return p;
            }
        }
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** [low, high) outside {@code ip_local_port_range} (Linux's default is 32768-60999), with room for the links nodes' range. */
    private static int[] unassigned() {
        int low = 32768;
        int high = 60999;
        try {
            String[] r = Files.readString(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).trim().split("\\s+");
            low = Integer.parseInt(r[0]);
            high = Integer.parseInt(r[1]);
        } catch (IOException | RuntimeException e) {
            // not Linux: keep the default
        }
        return low > 11_000 ? new int[] {10_000, low - LINKS_PORTS} : new int[] {high + 1, 65_536 - LINKS_PORTS};
    }

    /** A free port not in {@code taken}, which it is added to. */
    private static int freePort(Set<Integer> taken) throws IOException {
        while (true) {
            int p = freePort();
            if (taken.add(p)) {
                return p;
            }
        }
    }

    /** The first of {@code n} consecutive ports that are all free now. */
    private static int freeRange(int n) throws IOException {
        while (true) {
            int base = freePort();
            if (base + n - 1 <= 65535 && allFree(base, n)) {
                return base;
            }
        }
    }

    private static boolean allFree(int base, int n) {
        for (int p = base; p < base + n; p++) {
            try {
                new ServerSocket(p).close();
            } catch (IOException e) {
                return false;
            }
        }
        return true;
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
