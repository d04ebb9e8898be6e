package dev.strata.links;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.data.DataConfig;
import dev.strata.data.route.WalPosition;
import dev.strata.data.testing.ReplicatedPostgres;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two links nodes over a real primary and two real replicas, replica 1 replaying two seconds late
 * (within max_lag, so reads without a token may go to it).
 */
class ReadYourWritesTest {

    private static final String TOKEN = "Strata-Consistency";
    private static final String POSITION = "Strata-Data-Position";
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final ReplicatedPostgres PG = new ReplicatedPostgres(2, Duration.ofSeconds(2), 1);

    static LinksNode writer;
    static LinksNode reader;
    static TestClient toWriter;
    static TestClient toReader;

    @BeforeAll
    static void start() {
        DataConfig data = PG.dataConfig().withCluster(PG.primary().jdbcUrl(),
                List.of(PG.replica(1).jdbcUrl(), PG.replica(2).jdbcUrl()));
        writer = LinksNode.start(TestNodes.config("links-writer"), data);
        reader = LinksNode.start(TestNodes.config("links-reader"), data);
        toWriter = new TestClient(writer);
        toReader = new TestClient(reader);
    }

    @AfterAll
    static void stop() {
        if (writer != null) {
            writer.close();
        }
        if (reader != null) {
            reader.close();
        }
    }

    @Test
    void aThousandWritesReadAtOnceThroughAnotherNodeWithTheirTokenAreNeverStale() throws Exception {
        int stale = 0;
        for (int i = 0; i < 1000; i++) {
            String url = "https://example.com/" + i;
            HttpResponse<String> created = toWriter.postJson("/api/links", "{\"url\":\"" + url + "\"}");
            assertThat(created.statusCode()).isEqualTo(201);
            String token = created.headers().firstValue(TOKEN).orElseThrow();
            String code = JSON.readTree(created.body()).get("code").asText();
            HttpResponse<String> read = i % 2 == 0
                    ? toReader.get("/api/links/" + code, TOKEN, token)
                    : toReader.get("/" + code, TOKEN, token);
            boolean fresh = i % 2 == 0
                    ? read.statusCode() == 200 && url.equals(JSON.readTree(read.body()).get("url").asText())
                    : read.statusCode() == 302 && read.headers().firstValue("Location").orElse("").equals(url);
            if (!fresh) {
                stale++;
            }
        }
        assertThat(stale).as("stale reads").isZero();
        assertThat(reader.database().tokenReads()).isGreaterThanOrEqualTo(1000);
    }

    @Test
    void theTokenComesBackAsACookieToo() throws Exception {
        HttpResponse<String> created = toWriter.postJson("/api/links", "{\"url\":\"https://example.com/cookie\"}");
        String setCookie = created.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(setCookie).startsWith("strata_consistency=").contains("HttpOnly").contains("SameSite=Lax");
        String cookie = setCookie.substring(0, setCookie.indexOf(';'));
        String code = JSON.readTree(created.body()).get("code").asText();
        HttpResponse<String> read = toReader.get("/api/links/" + code, "Cookie", cookie);
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(read.body()).get("url").asText()).isEqualTo("https://example.com/cookie");
    }

    @Test
    void withoutATokenTheDelayedReplicaMayAnswerWithTheOldUrl() throws Exception {
        HttpResponse<String> created = toWriter.postJson("/api/links", "{\"url\":\"https://example.com/old\"}");
        JsonNode link = JSON.readTree(created.body());
        String code = link.get("code").asText();
        String auth = "Bearer " + link.get("manage_token").asText();
        assertThat(ReplicatedPostgres.await(Duration.ofSeconds(30),
                () -> toReader.get("/api/links/" + code).statusCode() == 200
                        && toReader.get("/api/links/" + code).statusCode() == 200)).isTrue();
        boolean sawOld = false;
        for (int attempt = 0; attempt < 20 && !sawOld; attempt++) {
            String url = "https://example.com/new-" + attempt;
            HttpResponse<String> put = toWriter.putJson("/api/links/" + code, "{\"url\":\"" + url + "\"}", "Authorization", auth);
            assertThat(put.statusCode()).isEqualTo(200);
            String token = put.headers().firstValue(TOKEN).orElseThrow();
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> withToken = toReader.get("/api/links/" + code, TOKEN, token);
                assertThat(JSON.readTree(withToken.body()).get("url").asText()).isEqualTo(url);
                // two reads in a row: replicas that tie take turns, so one of the two reaches each replica
                for (int j = 0; j < 2; j++) {
                    HttpResponse<String> without = toReader.get("/api/links/" + code);
                    sawOld |= !url.equals(JSON.readTree(without.body()).get("url").asText());
                }
            }
        }
        assertThat(sawOld).as("a read without a token reached the delayed replica before it replayed").isTrue();
    }

    @Test
    void eachAnswerNamesThePositionItWasReadAtAndAChangeTheOneItWroteAt() throws Exception {
        HttpResponse<String> created = toWriter.postJson("/api/links", "{\"url\":\"https://example.com/p-old\"}");
        JsonNode link = JSON.readTree(created.body());
        String code = link.get("code").asText();
        String auth = "Bearer " + link.get("manage_token").asText();
        HttpResponse<String> put = toWriter.putJson("/api/links/" + code, "{\"url\":\"https://example.com/p-new\"}",
                "Authorization", auth);
        WalPosition written = WalPosition.parse(put.headers().firstValue(POSITION).orElseThrow());
        assertThat(put.headers().firstValue("Strata-Invalidate-Tags")).contains("link-" + code);
        String token = put.headers().firstValue(TOKEN).orElseThrow();
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> withToken = toReader.get("/" + code, TOKEN, token);
            assertThat(withToken.headers().firstValue("Location")).contains("https://example.com/p-new");
            assertThat(WalPosition.parse(withToken.headers().firstValue(POSITION).orElseThrow()).reached(written)).isTrue();
            // a read that shows the old URL never claims a position at or past the write
            HttpResponse<String> without = toReader.get("/api/links/" + code);
            if (without.statusCode() == 404) {
                continue; // the delayed replica has not replayed the create yet: a problem, no position
            }
            WalPosition at = WalPosition.parse(without.headers().firstValue(POSITION).orElseThrow());
            boolean old = !JSON.readTree(without.body()).get("url").asText().equals("https://example.com/p-new");
            assertThat(old && at.reached(written)).as("old data at " + at + ", written at " + written).isFalse();
        }
    }

    @Test
    void aForgedOrExpiredTokenIsIgnoredAndTheReadStillServed() throws Exception {
        HttpResponse<String> created = toWriter.postJson("/api/links", "{\"url\":\"https://example.com/forged\"}");
        String code = JSON.readTree(created.body()).get("code").asText();
        String token = created.headers().firstValue(TOKEN).orElseThrow();
        String[] parts = token.split("\\.");
        String forged = parts[0] + ".ffffffffffffffff." + parts[2] + "." + parts[3];
        String expired = new dev.strata.data.route.ConsistencyTokens(TestNodes.SECRET, Duration.ofSeconds(1),
                java.time.Clock.fixed(java.time.Instant.now().minusSeconds(3600), java.time.ZoneOffset.UTC))
                .issue(dev.strata.data.route.WalPosition.parse("FFFFFFFF/0"));
        long before = reader.database().tokenReads();
        for (String bad : List.of(forged, expired, "garbage", "x".repeat(4000))) {
            assertThat(ReplicatedPostgres.await(Duration.ofSeconds(30),
                    () -> toReader.get("/api/links/" + code, TOKEN, bad).statusCode() == 200)).as(bad).isTrue();
        }
        assertThat(reader.database().tokenReads()).as("no read was made with a forged position").isEqualTo(before);
    }

    @Test
    void eachNodeShowsItsViewOfTheDatabaseNodesOnItsAdminPath() throws Exception {
        HttpResponse<String> created = toWriter.postJson("/api/links", "{\"url\":\"https://example.com/view\"}");
        String code = JSON.readTree(created.body()).get("code").asText();
        for (int i = 0; i < 20; i++) {
            toReader.get("/api/links/" + code);
        }
        HttpResponse<String> view = toReader.get("/_strata/db");
        assertThat(view.statusCode()).isEqualTo(200);
        JsonNode db = JSON.readTree(view.body());
        assertThat(db.get("node").asText()).isEqualTo("links-reader");
        assertThat(db.get("mode").asText()).isEqualTo("read-write");
        assertThat(db.get("nodes")).hasSize(3);
        assertThat(db.get("nodes").get(0).get("role").asText()).isEqualTo("primary");
        assertThat(db.get("nodes").get(1).get("role").asText()).isEqualTo("replica");
        assertThat(db.get("nodes").get(1).has("lag_bytes")).isTrue();
        long replicaQueries = db.get("nodes").get(1).get("queries").asLong() + db.get("nodes").get(2).get("queries").asLong();
        assertThat(replicaQueries).isGreaterThanOrEqualTo(20);

        HttpResponse<String> metrics = toReader.get("/_strata/metrics");
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("strata_db_queries_total{db_node=\"replica-1\",role=\"replica\"} ")
                .contains("strata_db_replica_lag_bytes{db_node=\"replica-2\",role=\"replica\"} ")
                .contains("# TYPE strata_db_token_waits_total counter").contains("strata_db_primary_fallbacks_total ");

        assertThat(toReader.get("/_strata/db", "X-Forwarded-For", "203.0.113.9").statusCode())
                .as("not through a proxy").isEqualTo(404);
    }
}
