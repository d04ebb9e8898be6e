package dev.strata.cli.up;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The supervisor's restart of a node that died: a real child process, started again without {@code --fresh}. */
class SupervisorRestartTest {

    @TempDir
    Path dir;

    @Test
    void aNodeStartedFreshThatDiesIsRestartedWithoutFresh() throws Exception {
        Path args = dir.resolve("args");
        Path ready = dir.resolve("ready");
        // the "node": records its arguments, says it is ready, and dies the first time a moment later
        Path node = dir.resolve("node.sh");
        Files.writeString(node, """
                echo "$*" >> '%s'
                touch '%s'
                if [ "$(wc -l < '%s')" -eq 1 ]; then sleep 1; exit 3; fi
                exec sleep 120
                """.formatted(args, ready, args));
        UpConfig up = new UpConfig(1, 1, 1, dir.resolve("run").toString(), "127.0.0.1",
                new UpConfig.Ports(1, 2, 3, 4, 5, 6), Duration.ofSeconds(60), Duration.ofSeconds(10), true,
                new UpConfig.JvmOptions(List.of(), List.of(), List.of(), List.of()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Supervisor supervisor = new Supervisor(dir.resolve("run"), up, List.of("/bin/sh", node.toString()), Map.of(),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        NodeSpec spec = new NodeSpec("postgres", "postgres", dir.resolve("postgres.yaml"), List.of(), List.of(),
                List.of("--fresh"), "postgresql://127.0.0.1:5/strata", null, () -> Files.exists(ready));
        try {
            supervisor.start(List.of(spec));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (lines(args).size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
        } finally {
            supervisor.stop();
        }
        List<String> starts = lines(args);
        assertThat(starts).as(out.toString(StandardCharsets.UTF_8)).hasSize(2);
        assertThat(starts.get(0)).endsWith("--fresh");
        assertThat(starts.get(1)).as("the restart keeps the data").doesNotContain("--fresh")
                .isEqualTo("postgres --config " + dir.resolve("postgres.yaml"));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("postgres restarted");
    }

    private static List<String> lines(Path file) throws Exception {
        return Files.exists(file) ? Files.readAllLines(file) : List.of();
    }
}
