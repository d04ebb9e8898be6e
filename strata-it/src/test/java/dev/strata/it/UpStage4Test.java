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
        // replica N listens on the primary's port + N: the whole block must be free
        String yaml = StrataProcess.upSection(dir, 4)
                .replaceFirst("postgres: \\d+\\}", "postgres: " + StrataProcess.freeRange(3) + "}");
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
}
