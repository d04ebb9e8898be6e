package dev.strata.links;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.data.testing.PostgresExtension;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two nodes, one database, one secret: any node serves any request. */
class StatelessNodesTest {

    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();
    private static final ObjectMapper JSON = new ObjectMapper();

    static LinksNode a;
    static LinksNode b;

    @BeforeAll
    static void start() {
        a = LinksNode.start(TestNodes.config("links-a"), PG.dataConfig());
        b = LinksNode.start(TestNodes.config("links-b"), PG.dataConfig());
    }

    @AfterAll
    static void stop() {
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
    }

    @Test
    void aLinkCreatedOnOneNodeIsManagedThroughTheOther() throws Exception {
        TestClient viaA = new TestClient(a);
        TestClient viaB = new TestClient(b);
        HttpResponse<String> created = viaA.postJson("/api/links", "{\"url\":\"https://example.com/from-a\"}");
        assertThat(created.headers().firstValue("X-Served-By")).contains("links-a");
        JsonNode link = JSON.readTree(created.body());
        String code = link.get("code").asText();
        String auth = "Bearer " + link.get("manage_token").asText();

        HttpResponse<String> redirect = viaB.get("/" + code);
        assertThat(redirect.statusCode()).isEqualTo(302);
        assertThat(redirect.headers().firstValue("X-Served-By")).contains("links-b");

        HttpResponse<String> updated = viaB.putJson("/api/links/" + code, "{\"url\":\"https://example.com/from-b\"}", "Authorization", auth);
        assertThat(updated.statusCode()).isEqualTo(200);
        assertThat(updated.headers().firstValue("X-Served-By")).contains("links-b");
        assertThat(viaA.get("/" + code).headers().firstValue("Location")).contains("https://example.com/from-b");

        HttpResponse<String> deleted = viaB.delete("/api/links/" + code, "Authorization", auth);
        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(deleted.headers().firstValue("X-Served-By")).contains("links-b");
        HttpResponse<String> gone = viaA.get("/" + code);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(gone.headers().firstValue("X-Served-By")).contains("links-a");
    }

    @Test
    void clicksOnBothNodesAddUp() throws Exception {
        TestClient viaA = new TestClient(a);
        TestClient viaB = new TestClient(b);
        String code = JSON.readTree(viaA.postJson("/api/links", "{\"url\":\"https://example.com/c\"}").body()).get("code").asText();
        for (int i = 0; i < 7; i++) {
            viaA.get("/" + code);
            viaB.get("/" + code);
        }
        long deadline = System.nanoTime() + 10_000_000_000L;
        long seen = -1;
        while (System.nanoTime() < deadline) {
            // each node adds only its own unflushed clicks; both reach the database within a flush interval
            seen = JSON.readTree(viaA.get("/api/links/" + code).body()).get("clicks").asLong();
            long viaOther = JSON.readTree(viaB.get("/api/links/" + code).body()).get("clicks").asLong();
            if (seen == 14 && viaOther == 14) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(seen).isEqualTo(14);
    }
}
