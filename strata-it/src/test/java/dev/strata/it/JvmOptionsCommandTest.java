package dev.strata.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strata jvm-options ROLE}: what {@code ./strata gateway} starts the gateway's JVM with. */
class JvmOptionsCommandTest {

    private record Run(int exit, List<String> lines) {}

    private static Run run(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(StrataProcess.java(), "-jar", StrataProcess.jar().toString(),
                "jvm-options"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), out.lines().toList());
    }

    @Test
    void theGatewaysOptionsComeFromTheDefaultsWithWhatThisJdkNeeds() throws Exception {
        Run r = run("gateway");
        assertThat(r.exit()).isZero();
        assertThat(r.lines()).startsWith("-Xmx512m", "-XX:+UseSerialGC", "-XX:MetaspaceSize=64m").contains("-Dio.netty.noUnsafe=false");
        if (Runtime.version().feature() >= 23) {
            assertThat(r.lines()).endsWith("--sun-misc-unsafe-memory-access=allow");
        } else {
            assertThat(r.lines()).doesNotContain("--sun-misc-unsafe-memory-access=allow");
        }
    }

    @Test
    void aConfigFilesUpSectionOverridesThem(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("gw.yaml");
        Files.writeString(config, """
                up:
                  jvm_options:
                    gateway: [-Xmx96m, -Dmarker=yes]
                gateway:
                  listeners: [{name: main, address: 127.0.0.1:0}]
                """);
        Run r = run("gateway", "--config", config.toString());
        assertThat(r.exit()).isZero();
        assertThat(r.lines()).containsExactly("-Xmx96m", "-Dmarker=yes");
    }

    @Test
    void anUnknownRoleIsRefused() throws Exception {
        Run r = run("cache");
        assertThat(r.exit()).isEqualTo(2);
        assertThat(String.join("\n", r.lines())).contains("unknown role: cache");
    }
}
