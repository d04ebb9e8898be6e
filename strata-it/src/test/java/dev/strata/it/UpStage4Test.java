package dev.strata.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./strata up --stage 4}: a PostgreSQL primary and two streaming replicas under the links nodes and the gateway. */
class UpStage4Test {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void aWriteThenAReadThroughTheGatewayAndStopLeavesNoProcessBehind() throws Exception {
        String yaml = StrataProcess.upSection(dir, 4, 3);
        try (StrataProcess up = StrataProcess.up(dir, yaml, "--stage", "4", "--replicas", "2", "--nodes", "2")) {
            JsonNode topology = up.awaitTopology(Duration.ofMinutes(5));
            assertThat(StrataProcess.node(topology, "postgres-primary").get("role").asText()).isEqualTo("postgres-primary");
            assertThat(StrataProcess.node(topology, "postgres-replica-1").get("role").asText()).isEqualTo("postgres-replica");
            assertThat(StrataProcess.node(topology, "postgres-replica-2").get("role").asText()).isEqualTo("postgres-replica");
            assertThat(StrataProcess.node(topology, "links-2").get("role").asText()).isEqualTo("links");
            String base = StrataProcess.node(topology, "gateway").get("url").asText();

            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/api/links"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"https://example.org/four\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            String token = created.headers().firstValue("Strata-Consistency").orElseThrow();
            String code = JSON.readTree(created.body()).get("code").asText();

            HttpResponse<String> read = http.send(HttpRequest.newBuilder(URI.create(base + "/api/links/" + code))
                    .header("Strata-Consistency", token).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
            assertThat(JSON.readTree(read.body()).get("url").asText()).isEqualTo("https://example.org/four");

            HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(
                    StrataProcess.node(topology, "links-1").get("url").asText() + "/readyz")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(JSON.readTree(ready.body()).get("database").asText()).isEqualTo("read-write");

            Set<ProcessHandle> processes = StrataProcess.processesOf(topology);
            assertThat(processes).hasSizeGreaterThanOrEqualTo(9); // 3 database nodes and their postmasters, 2 links, gateway
            up.signal("TERM");
            assertThat(up.awaitExit(Duration.ofSeconds(120))).isZero();
            assertThat(processes).noneMatch(ProcessHandle::isAlive);
            assertThat(up.runDir.resolve("topology.json")).doesNotExist();
        }
    }

    private HttpResponse<String> get(String url, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * With the replica replaying 2 s late, a PUT and then at once GETs through the gateway's cache: the
     * writer (with its token) never sees the old URL, the cache never holds the old URL after the purge (a
     * read from the late replica is answered but not stored), and once the replica caught up nobody sees it.
     */
    @Test
    void aStaleAnswerNeverComesBackThroughTheCache() throws Exception {
        String yaml = StrataProcess.upSection(dir, 4, 2)
                + "data:\n  replication:\n    apply_delay: 2s\n";
        try (StrataProcess up = StrataProcess.up(dir, yaml, "--stage", "4", "--replicas", "1", "--nodes", "1")) {
            JsonNode topology = up.awaitTopology(Duration.ofMinutes(5));
            String base = StrataProcess.node(topology, "gateway").get("url").asText();
            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/api/links"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"https://example.org/old\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode link = JSON.readTree(created.body());
            String path = base + "/" + link.get("code").asText();
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (get(path).statusCode() != 302) { // the replica has replayed the create: the old URL is stored
                assertThat(System.nanoTime() - deadline).as("the replica replays the create").isNegative();
                Thread.sleep(100);
            }
            assertThat(get(path, "Cache-Control", "only-if-cached").headers().firstValue("Location"))
                    .contains("https://example.org/old");

            HttpResponse<String> put = http.send(HttpRequest.newBuilder(URI.create(base + "/api/links/"
                    + link.get("code").asText())).header("Content-Type", "application/json")
                    .header("Authorization", "Bearer " + link.get("manage_token").asText())
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"url\":\"https://example.org/new\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
            assertThat(put.headers().firstValue("Strata-Data-Position")).as("stripped by the gateway").isEmpty();
            String token = put.headers().firstValue("Strata-Consistency").orElseThrow();

            boolean othersSawOld = false;
            boolean caughtUp = false;
            deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!caughtUp) {
                assertThat(System.nanoTime() - deadline).as("the replica catches up").isNegative();
                // another client first: until the writer's own read stores the new answer, its GET reaches the late replica
                HttpResponse<String> other = get(path);
                othersSawOld |= other.headers().firstValue("Location").orElseThrow().equals("https://example.org/old");
                HttpResponse<String> held = get(path, "Cache-Control", "only-if-cached");
                assertThat(held.statusCode() == 504 || held.headers().firstValue("Location").orElseThrow()
                        .equals("https://example.org/new")).as("the cache never holds the old URL after the purge").isTrue();
                assertThat(get(path, "Strata-Consistency", token).headers().firstValue("Location"))
                        .as("the writer").contains("https://example.org/new");
                caughtUp = StrataProcess.node(topology, "links-1") != null
                        && http.send(HttpRequest.newBuilder(URI.create(StrataProcess.node(topology, "links-1")
                                .get("url").asText() + "/" + link.get("code").asText())).build(),
                        HttpResponse.BodyHandlers.ofString()).headers().firstValue("Location").orElse("")
                        .equals("https://example.org/new");
            }
            assertThat(othersSawOld).as("the late replica answered another client before it replayed").isTrue();
            for (int i = 0; i < 20; i++) {
                assertThat(get(path).headers().firstValue("Location")).as("after the catch-up, nobody")
                        .contains("https://example.org/new");
            }
            up.signal("TERM");
            assertThat(up.awaitExit(Duration.ofSeconds(120))).isZero();
        }
    }
}
