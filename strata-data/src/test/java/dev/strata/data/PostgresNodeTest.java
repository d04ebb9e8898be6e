package dev.strata.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.data.testing.PostgresExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The {@code postgres} role as its own OS process, the way the CLI runs it. */
class PostgresNodeTest {

    @Test
    void logsReadyWithThePostmasterPidAndStopsTheServerOnSigterm() throws Exception {
        Path dir = Path.of("target", "pg", "node-" + UUID.randomUUID()).toAbsolutePath();
        int port = PostgresExtension.freePort();
        String javaCommand = ProcessHandle.current().info().command().orElseThrow();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process node = new ProcessBuilder(javaCommand, "-cp", classpath,
                RunPostgresNode.class.getName(), dir.toString(), Integer.toString(port))
                .redirectErrorStream(true).start();
        StringBuilder seen = new StringBuilder();
        long postmasterPid = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
            Pattern ready = Pattern.compile("ready: postgres at (\\S+) \\(postmaster pid (\\d+)\\)");
            String line;
            while ((line = out.readLine()) != null) {
                seen.append(line).append('\n');
                Matcher m = ready.matcher(line);
                if (m.find()) {
                    assertThat(m.group(1)).isEqualTo("jdbc:postgresql://127.0.0.1:" + port + "/strata");
                    postmasterPid = Long.parseLong(m.group(2));
                    break;
                }
            }
            assertThat(postmasterPid).as(seen.toString()).isPositive();
            assertThat(ProcessHandle.of(postmasterPid).map(ProcessHandle::isAlive)).contains(true);

            node.toHandle().destroy(); // SIGTERM, keeping our end of its output open
            assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
            while ((line = out.readLine()) != null) {
                seen.append(line).append('\n');
            }
        } finally {
            node.destroyForcibly();
        }
        assertThat(node.exitValue()).as(seen.toString()).isZero();
        assertThat(ProcessHandle.of(postmasterPid).map(ProcessHandle::isAlive).orElse(false)).as(seen.toString()).isFalse();
        assertThat(seen).contains("stopped");
    }

    @Test
    void aKillMinusNineOfThePostmasterEndsTheNodeWithStatusOneForItsSupervisorToRestart() throws Exception {
        Path dir = Path.of("target", "pg", "node-" + UUID.randomUUID()).toAbsolutePath();
        int port = PostgresExtension.freePort();
        String javaCommand = ProcessHandle.current().info().command().orElseThrow();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process node = new ProcessBuilder(javaCommand, "-cp", classpath,
                RunPostgresNode.class.getName(), dir.toString(), Integer.toString(port))
                .redirectErrorStream(true).start();
        StringBuilder seen = new StringBuilder();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
            Pattern ready = Pattern.compile("ready: postgres at \\S+ \\(postmaster pid (\\d+)\\)");
            long postmasterPid = -1;
            String line;
            while (postmasterPid < 0 && (line = out.readLine()) != null) {
                seen.append(line).append('\n');
                Matcher m = ready.matcher(line);
                if (m.find()) {
                    postmasterPid = Long.parseLong(m.group(1));
                }
            }
            assertThat(postmasterPid).as(seen.toString()).isPositive();
            new ProcessBuilder("kill", "-9", Long.toString(postmasterPid)).inheritIO().start().waitFor();
            assertThat(node.waitFor(60, TimeUnit.SECONDS)).as(seen.toString()).isTrue();
            while ((line = out.readLine()) != null) {
                seen.append(line).append('\n');
            }
        } finally {
            node.destroyForcibly();
        }
        assertThat(node.exitValue()).as(seen.toString()).isEqualTo(1);
        assertThat(seen).contains("exited on its own");
    }

    /** Main class of the child. */
    static final class RunPostgresNode {
        public static void main(String[] args) {
            PostgresNode.run(PostgresExtension.embeddedConfig(Path.of(args[0])).withEmbedded(Path.of(args[0]), Integer.parseInt(args[1])), false);
        }
    }
}
