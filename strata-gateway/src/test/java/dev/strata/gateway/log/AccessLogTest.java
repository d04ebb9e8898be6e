package dev.strata.gateway.log;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.config.AccessLogConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AccessLogTest {

    static final AccessLog.Entry ENTRY = new AccessLog.Entry("127.0.0.1", 0L, "GET", "/a?b=\"c\"", "HTTP/1.1", 200,
            42, null, "curl/8", "default", "127.0.0.1:8081", 1_500_000, 1, null);

    @Test
    void textIsCombinedLogPlusRouteEndpointAndDuration() {
        assertThat(AccessLog.text(ENTRY)).isEqualTo(
                "127.0.0.1 - - [01/Jan/1970:00:00:00 +0000] \"GET /a?b=\"c\" HTTP/1.1\" 200 42 \"-\" \"curl/8\" default 127.0.0.1:8081 1500us");
    }

    @Test
    void jsonEscapes() {
        assertThat(AccessLog.json(ENTRY)).contains("\"uri\":\"/a?b=\\\"c\\\"\"").contains("\"referer\":null")
                .contains("\"duration_us\":1500");
    }

    @Test
    void writesLinesToTheFileOffTheCallersThread(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access.log");
        AccessLog log = AccessLog.open(new AccessLogConfig(true, "json", file.toString(), 16), () -> { });
        for (int i = 0; i < 5; i++) {
            log.log(ENTRY);
        }
        log.close();
        List<String> lines = Files.readAllLines(file);
        assertThat(lines).hasSize(5).allSatisfy(l -> assertThat(l).startsWith("{\"time\":"));
    }

    @Test
    void disabledMeansNone() {
        assertThat(AccessLog.open(new AccessLogConfig(false, "text", "", 16), () -> { })).isNull();
    }
}
