package dev.strata.links;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.data.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Click counts reach the database: by the periodic flush, and by a graceful stop. */
class ClicksDurabilityTest {

    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aGracefulStopWritesEveryPendingClickAndARestartKeepsTheLinks() throws Exception {
        String code;
        LinksConfig slowFlush = TestNodes.config("links-stop", Duration.ofHours(1));
        LinksNode node = LinksNode.start(slowFlush, PG.dataConfig());
        try {
            TestClient http = new TestClient(node);
            code = JSON.readTree(http.postJson("/api/links", "{\"url\":\"https://example.com/\"}").body()).get("code").asText();
            try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
                List<Future<Integer>> redirects = new ArrayList<>();
                for (int i = 0; i < 200; i++) {
                    redirects.add(pool.submit(() -> http.get("/" + code).statusCode()));
                }
                for (Future<Integer> r : redirects) {
                    assertThat(r.get()).isEqualTo(302);
                }
            }
            assertThat(storedClicks(code)).as("nothing flushed yet").isZero();
            assertThat(JSON.readTree(http.get("/api/links/" + code).body()).get("clicks").asLong())
                    .as("stats add the clicks not yet flushed").isEqualTo(200);
        } finally {
            node.close();
        }
        assertThat(storedClicks(code)).isEqualTo(200);

        LinksNode restarted = LinksNode.start(slowFlush, PG.dataConfig());
        try {
            TestClient http = new TestClient(restarted);
            assertThat(http.get("/" + code).statusCode()).isEqualTo(302);
            assertThat(JSON.readTree(http.get("/api/links/" + code).body()).get("clicks").asLong()).isEqualTo(201);
        } finally {
            restarted.close();
        }
        assertThat(storedClicks(code)).isEqualTo(201);
    }

    @Test
    void thePeriodicFlushWritesClicksWhileRunning() throws Exception {
        LinksNode node = LinksNode.start(TestNodes.config("links-flush", Duration.ofMillis(50)), PG.dataConfig());
        try {
            TestClient http = new TestClient(node);
            String code = JSON.readTree(http.postJson("/api/links", "{\"url\":\"https://example.com/\"}").body()).get("code").asText();
            for (int i = 0; i < 25; i++) {
                http.get("/" + code);
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (storedClicks(code) < 25 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(storedClicks(code)).isEqualTo(25);
        } finally {
            node.close();
        }
    }

    private static long storedClicks(String code) throws Exception {
        var data = PG.dataConfig();
        try (Connection c = DriverManager.getConnection(data.jdbcUrl(), data.user(), data.password());
             PreparedStatement ps = c.prepareStatement("SELECT clicks FROM links WHERE code = ?")) {
            ps.setString(1, code);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }
}
