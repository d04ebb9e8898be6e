package dev.strata.links;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.data.DataConfig;
import dev.strata.data.testing.ReplicatedPostgres;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A links node over a primary and a replica loses the primary to kill -9: writes answer 503 with
 * {@code Retry-After} and {@code Strata-Degraded} (every node answers so, a gateway ejects none),
 * reads go on, and {@code /healthz} says {@code database read-only} for a gateway's checks to show;
 * once the primary is back, writes succeed and the field is gone.
 */
class ReadOnlyModeTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final ReplicatedPostgres PG = new ReplicatedPostgres(1, Duration.ZERO);

    @Test
    void withoutThePrimaryWritesSay503DegradedAndReadsGoOn() throws Exception {
        DataConfig data = PG.dataConfig().withCluster(PG.primary().jdbcUrl(), List.of(PG.replica(1).jdbcUrl()));
        try (LinksNode node = LinksNode.start(TestNodes.config("links-ro"), data)) {
            TestClient http = new TestClient(node);
            HttpResponse<String> created = http.postJson("/api/links", "{\"url\":\"https://example.org/ro\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String code = JSON.readTree(created.body()).get("code").asText();
            assertThat(http.get("/healthz").headers().firstValue("Strata-Degraded")).isEmpty();
            awaitReadable(http, code);

            PG.killPrimary();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!http.get("/healthz").headers().firstValue("Strata-Degraded").isPresent()
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(http.get("/healthz").headers().firstValue("Strata-Degraded")).contains("database read-only");
            HttpResponse<String> refused = http.postJson("/api/links", "{\"url\":\"https://example.org/no\"}");
            assertThat(refused.statusCode()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Content-Type")).contains("application/problem+json");
            assertThat(refused.headers().firstValue("Retry-After")).isPresent();
            assertThat(refused.headers().firstValue("Strata-Degraded")).contains("database read-only");
            HttpResponse<String> read = http.get("/api/links/" + code);
            assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
            JsonNode ready = JSON.readTree(http.get("/readyz").body());
            assertThat(ready.get("database").asText()).isEqualTo("read-only");

            PG.restartPrimary();
            deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (http.get("/healthz").headers().firstValue("Strata-Degraded").isPresent() && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertThat(http.get("/healthz").headers().firstValue("Strata-Degraded")).isEmpty();
            HttpResponse<String> again = http.postJson("/api/links", "{\"url\":\"https://example.org/back\"}");
            assertThat(again.statusCode()).as(again.body()).isEqualTo(201);
        }
    }

    /** The replica has replayed the link (the primary polls first; the replica follows within a moment). */
    private static void awaitReadable(TestClient http, String code) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (http.get("/api/links/" + code).statusCode() != 200 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }
}
