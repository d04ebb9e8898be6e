package dev.strata.links;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.data.DataConfig;
import dev.strata.data.EmbeddedPostgres;
import dev.strata.data.RunningPostgres;
import dev.strata.data.testing.PostgresExtension;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** {@code /readyz} follows the database; {@code /healthz} does not. */
class ReadinessTest {

    @Test
    void notReadyWhileTheDatabaseIsDown() {
        DataConfig defaults = PostgresExtension.embeddedConfig(Path.of("target", "pg", "ready-" + UUID.randomUUID()));
        DataConfig data = new DataConfig(defaults.url(), defaults.user(), defaults.password(),
                new DataConfig.Pool(2, 0, Duration.ofMillis(500), Duration.ofMinutes(1), Duration.ofMinutes(5)),
                defaults.embedded(), defaults.replicaUrls(), defaults.replication(), defaults.routing());
        RunningPostgres pg = EmbeddedPostgres.start(data, false);
        LinksNode node = null;
        try {
            node = LinksNode.start(TestNodes.config("links-ready"), data);
            TestClient http = new TestClient(node);
            assertThat(http.get("/readyz").statusCode()).isEqualTo(200);
            pg.close();
            HttpResponse<String> notReady = http.get("/readyz");
            assertThat(notReady.statusCode()).isEqualTo(503);
            assertThat(notReady.headers().firstValue("Content-Type")).contains("application/problem+json");
            assertThat(http.get("/healthz").statusCode()).isEqualTo(200);
            HttpResponse<String> failed = http.postJson("/api/links", "{\"url\":\"https://example.com/\"}");
            assertThat(failed.statusCode()).isEqualTo(503);
            assertThat(failed.headers().firstValue("Retry-After")).isPresent();
            assertThat(failed.body()).doesNotContain("Exception").doesNotContain("at org.");
        } finally {
            if (node != null) {
                node.close();
            }
            pg.close();
        }
    }
}
