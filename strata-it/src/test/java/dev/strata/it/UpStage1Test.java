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

/** {@code ./strata up --stage 1}: PostgreSQL and one links node as real processes. */
class UpStage1Test {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void startsServesAndStopsWithNoProcessLeftBehind() throws Exception {
        String yaml = StrataProcess.upSection(dir, 1);
        String code;
        try (StrataProcess up = StrataProcess.up(dir, yaml, "--stage", "1")) {
            JsonNode topology = up.awaitTopology(Duration.ofMinutes(3));
            JsonNode links = StrataProcess.node(topology, "links-1");
            assertThat(links.get("role").asText()).isEqualTo("links");
            assertThat(StrataProcess.node(topology, "postgres").get("role").asText()).isEqualTo("postgres");
            String base = links.get("url").asText();

            code = createLink(base, "https://example.org/stage-one");
            HttpResponse<String> redirect = http.send(HttpRequest.newBuilder(URI.create(base + "/" + code)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(redirect.statusCode()).isEqualTo(302);
            assertThat(redirect.headers().firstValue("Location")).hasValue("https://example.org/stage-one");
            assertThat(redirect.headers().firstValue("X-Served-By")).hasValue("links-1");
            assertThat(up.output()).contains(base)
                    .as("up says as each node starts and when it is ready")
                    .containsPattern("strata: starting postgres\\n(.*\\n)*strata: postgres ready at postgresql://\\S+ \\(\\d+\\.\\d s\\)")
                    .containsPattern("strata: starting links-1\\n(.*\\n)*strata: links-1 ready at " + base + " \\(");

            Set<ProcessHandle> processes = StrataProcess.processesOf(topology);
            assertThat(processes).hasSizeGreaterThanOrEqualTo(3); // links, postgres node, postmaster
            up.signal("TERM");
            assertThat(up.awaitExit(Duration.ofSeconds(90))).isZero();
            assertThat(processes).noneMatch(ProcessHandle::isAlive);
            assertThat(up.runDir.resolve("topology.json")).doesNotExist();
        }

        try (StrataProcess again = StrataProcess.up(dir, yaml, "--stage", "1")) {
            JsonNode topology = again.awaitTopology(Duration.ofMinutes(3));
            String base = StrataProcess.node(topology, "links-1").get("url").asText();
            HttpResponse<String> stats = http.send(HttpRequest.newBuilder(URI.create(base + "/api/links/" + code)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(stats.statusCode()).as("the link survives a restart").isEqualTo(200);
            assertThat(JSON.readTree(stats.body()).get("clicks").asLong()).as("the click was flushed on stop").isEqualTo(1);
        }

        try (StrataProcess fresh = StrataProcess.up(dir, yaml, "--stage", "1", "--fresh")) {
            JsonNode topology = fresh.awaitTopology(Duration.ofMinutes(3));
            String base = StrataProcess.node(topology, "links-1").get("url").asText();
            HttpResponse<String> stats = http.send(HttpRequest.newBuilder(URI.create(base + "/api/links/" + code)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(stats.statusCode()).as("--fresh wipes the data").isEqualTo(404);
        }
    }

    @Test
    void childrenExitWhenTheSupervisorIsKilled() throws Exception {
        try (StrataProcess up = StrataProcess.up(dir, StrataProcess.upSection(dir, 1), "--stage", "1")) {
            JsonNode topology = up.awaitTopology(Duration.ofMinutes(3));
            Set<ProcessHandle> processes = StrataProcess.processesOf(topology);
            up.signal("KILL");
            up.awaitExit(Duration.ofSeconds(10));
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (processes.stream().anyMatch(ProcessHandle::isAlive) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertThat(processes).noneMatch(ProcessHandle::isAlive);
        }
    }

    private String createLink(String base, String url) throws Exception {
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/api/links"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"" + url + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        return JSON.readTree(created.body()).get("code").asText();
    }

    @Test
    void aTakenPortIsNamedBeforeAnythingStarts() throws Exception {
        String yaml = StrataProcess.upSection(dir, 2);
        int gatewayPort = Integer.parseInt(yaml.replaceAll("(?s).*ports: \\{gateway: (\\d+),.*", "$1"));
        try (java.net.ServerSocket squatter = new java.net.ServerSocket()) {
            squatter.bind(new java.net.InetSocketAddress("127.0.0.1", gatewayPort));
            try (StrataProcess up = StrataProcess.up(dir, yaml, "--stage", "2")) {
                assertThat(up.awaitExit(Duration.ofSeconds(60))).isEqualTo(1);
                assertThat(up.output())
                        .contains("port " + gatewayPort + " on 127.0.0.1 (gateway) is taken")
                        .doesNotContain("starting postgres").doesNotContain("Exception");
            }
        }
    }
}
