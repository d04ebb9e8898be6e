package dev.strata.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code strata} command line as a person meets it: help, stages, and errors that say what to do. */
class CommandLineTest {

    private record Run(int exit, String out) {}

    private static Run run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(StrataProcess.java(), "-jar", StrataProcess.jar().toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out);
    }

    @Test
    void helpListsEveryCommandAndEveryStage() throws Exception {
        for (String[] args : new String[][] {{"--help"}, {"help"}}) {
            Run r = run(args);
            assertThat(r.exit()).as(String.join(" ", args)).isZero();
            assertThat(r.out()).contains("  up ", "  gateway ", "  test ", "  help ")
                    .contains("1  single", "2  ", "3  scale out", "4  database load balancing  PostgreSQL", "5  CDN                      not built yet",
                            "6  distributed data         not built yet")
                    .doesNotContain("jvm-options", "postgres  ");
            assertThat(r.out().lines()).allSatisfy(line -> assertThat(line.length()).isLessThanOrEqualTo(80));
        }
        assertThat(run("help", "up").out()).contains("--stage", "--config");
    }

    @Test
    void aStageNotBuiltOrNotThereSaysWhich() throws Exception {
        Run planned = run("up", "--stage", "5");
        assertThat(planned.exit()).isEqualTo(2);
        assertThat(planned.out()).contains("stage 5, CDN, is not built yet (built: 1..4)");
        Run none = run("up", "--stage", "7");
        assertThat(none.exit()).isEqualTo(2);
        assertThat(none.out()).contains("there is no stage 7 (the ladder has stages 1..6");
    }

    @Test
    void aMissingFileOrAFileWithoutTheGatewaySectionIsRefusedByName(@TempDir Path dir) throws Exception {
        Run missing = run("gateway", "--config", dir.resolve("nonexistent.yaml").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.out()).contains("strata: config file " + dir.resolve("nonexistent.yaml") + " does not exist")
                .doesNotContain("Exception");
        Path linksOnly = Files.writeString(dir.resolve("links.yaml"), "links:\n  port: 8081\n");
        Run noSection = run("gateway", "--config", linksOnly.toString());
        assertThat(noSection.exit()).isEqualTo(2);
        assertThat(noSection.out()).contains(linksOnly + ": no 'gateway:' section (a gateway needs one;")
                .doesNotContain("Exception");
        Path typo = Files.writeString(dir.resolve("typo.yaml"), """
                gateway:
                  upstreams:
                    app:
                      endpoints: [127.0.0.1:9]
                      balance: {polcy: least-request}
                """);
        Run bad = run("gateway", "--config", typo.toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.out()).contains(typo + ": gateway.upstreams.app.balance.polcy (line 5, column 17): unknown key "
                + "(expected one of: hash_on, ")
                .doesNotContain("Exception", "dev.strata", "Source");
    }
}
