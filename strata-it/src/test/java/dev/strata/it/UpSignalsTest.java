package dev.strata.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./strata up} started the way a script starts it, in the background of a non-interactive shell
 * (which starts it with SIGINT ignored), still stops on SIGINT with no process left behind.
 */
class UpSignalsTest {

    @TempDir
    Path dir;

    @Test
    void upStartedInTheBackgroundOfAScriptStopsOnSigint() throws Exception {
        Path script = StrataProcess.jar().getParent().getParent().getParent().resolve("strata");
        // the jar under test is the one Maven just packaged: the script must run it, not rebuild
        Files.writeString(StrataProcess.jar().resolveSibling(".strata-build-stamp"), "");
        Path config = dir.resolve("strata.yaml");
        Files.writeString(config, StrataProcess.upSection(dir, 1));
        Path out = dir.resolve("up.out");
        Process shell = new ProcessBuilder("sh", "-c",
                "\"$0\" up --config \"$1\" --stage 1 > \"$2\" 2>&1 &", script.toString(), config.toString(), out.toString())
                .directory(dir.toFile()).start();
        assertThat(shell.waitFor()).isZero();

        Path topologyFile = dir.resolve("run").resolve("topology.json");
        ProcessHandle up = null;
        Set<ProcessHandle> processes = Set.of();
        try {
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (System.nanoTime() < deadline && (up == null || !Files.exists(topologyFile))) {
                up = findUp(config).orElse(null);
                Thread.sleep(250);
            }
            assertThat(up).as("the up process; its output:\n%s", read(out)).isNotNull();
            assertThat(topologyFile).as("output:\n%s", read(out)).exists();
            JsonNode topology = new com.fasterxml.jackson.databind.ObjectMapper().readTree(topologyFile.toFile());
            processes = StrataProcess.processesOf(topology);
            String status = Files.readString(Path.of("/proc", Long.toString(up.pid()), "status"));
            assertThat(ignored(status) & (1L << 1)).as("SIGINT (2) is not among the ignored signals").isZero();

            new ProcessBuilder("kill", "-INT", Long.toString(up.pid())).inheritIO().start().waitFor();
            long stopBy = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (up.isAlive() && System.nanoTime() < stopBy) {
                Thread.sleep(200);
            }
            assertThat(up.isAlive()).as("up still runs after SIGINT; output:\n%s", read(out)).isFalse();
            assertThat(processes).noneMatch(ProcessHandle::isAlive);
            assertThat(read(out)).contains("strata: stopped");
        } finally {
            if (up != null && up.isAlive()) {
                new ProcessBuilder("kill", "-TERM", Long.toString(up.pid())).start().waitFor();
                up.onExit().get(60, java.util.concurrent.TimeUnit.SECONDS);
            }
            processes.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** The java process of {@code strata up --config CONFIG}. */
    private static Optional<ProcessHandle> findUp(Path config) {
        return ProcessHandle.allProcesses().filter(p -> p.info().arguments()
                .map(List::of).map(a -> a.contains("up") && a.contains(config.toString()) && a.contains("-jar"))
                .orElse(false)).findFirst();
    }

    /** The ignored-signal mask of a {@code /proc/PID/status}. */
    private static long ignored(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("SigIgn:")) {
                return Long.parseUnsignedLong(line.substring("SigIgn:".length()).strip(), 16);
            }
        }
        throw new AssertionError("no SigIgn in " + status);
    }

    private static String read(Path file) throws java.io.IOException {
        return Files.exists(file) ? Files.readString(file) : "(no output)";
    }
}
