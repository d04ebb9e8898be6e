package dev.strata.links;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.common.config.ConfigLoader;
import dev.strata.data.testing.PostgresExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The body and header limits follow the configuration, and the redirect's max-age too. */
class LimitsTest {

    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @Test
    void configuredLimitsApply() throws Exception {
        LinksConfig config = ConfigLoader.fromYaml("""
                links:
                  port: 0
                  node_name: links-limits
                  secret: s
                  max_body: 2KiB
                  max_header_size: 2KiB
                  cache_max_age: 5s
                  public_url: https://sho.rt/
                """, "test").section("links", LinksConfig.class);
        try (LinksNode node = LinksNode.start(config, PG.dataConfig())) {
            TestClient http = new TestClient(node);
            String padded = "{\"url\":\"https://example.com/\",\"code\":\"abc\"" + " ".repeat(2100) + "}";
            assertThat(http.postJson("/api/links", padded).statusCode()).isEqualTo(413);
            var created = http.postJson("/api/links", "{\"url\":\"https://example.com/\",\"code\":\"abc\"}");
            assertThat(created.statusCode()).isEqualTo(201);
            assertThat(created.body()).contains("\"short_url\":\"https://sho.rt/abc\"");
            assertThat(http.get("/abc").headers().firstValue("Cache-Control")).contains("public, max-age=5");
            String response = http.raw("GET /abc HTTP/1.1\r\nHost: x\r\nX-Pad: " + "p".repeat(3000) + "\r\nConnection: close\r\n\r\n");
            assertThat(response).startsWith("HTTP/1.1 431");
            assertThat(http.get("/abc", "X-Pad", "p".repeat(1000)).statusCode()).isEqualTo(302);
        }
    }
}
