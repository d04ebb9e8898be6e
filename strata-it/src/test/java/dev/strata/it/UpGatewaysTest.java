package dev.strata.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./strata up --stage 2 --gateways 2}: two gateways in front of one links node, sharing a Redis node. */
class UpGatewaysTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void twoGatewaysShareARedisNodeAndAnAdminToken() throws Exception {
        try (StrataProcess up = StrataProcess.up(dir, StrataProcess.upSection(dir, 2), "--stage", "2", "--gateways", "2")) {
            JsonNode topology = up.awaitTopology(Duration.ofMinutes(3));
            List<String> names = topology.get("nodes").findValuesAsText("name");
            assertThat(names).containsExactly("redis", "postgres", "links-1", "gateway-1", "gateway-2");
            assertThat(StrataProcess.node(topology, "redis").get("role").asText()).isEqualTo("redis");
            assertThat(StrataProcess.node(topology, "redis").get("url").asText()).startsWith("redis://127.0.0.1:");

            String token = Files.readString(up.runDir.resolve("admin-token")).strip();
            assertThat(token).hasSizeGreaterThan(20);
            for (String gateway : List.of("gateway-1", "gateway-2")) {
                JsonNode node = StrataProcess.node(topology, gateway);
                String admin = node.get("admin_url").asText();
                JsonNode cluster = awaitCluster(admin);
                assertThat(cluster.get("self").asText()).isEqualTo(gateway);
                assertThat(cluster.get("redis").asText()).isEqualTo(StrataProcess.node(topology, "redis").get("url").asText());

                HttpResponse<String> redirect = http.send(HttpRequest.newBuilder(URI.create(node.get("url").asText() + "/api/links"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"https://example.org/" + gateway + "\"}")).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(redirect.statusCode()).as(redirect.body()).isEqualTo(201);

                HttpResponse<String> noToken = http.send(HttpRequest.newBuilder(URI.create(admin + "/_strata/reload"))
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(noToken.statusCode()).isEqualTo(403);
                HttpResponse<String> withToken = http.send(HttpRequest.newBuilder(URI.create(admin + "/_strata/reload"))
                        .header("Authorization", "Bearer " + token)
                        .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(withToken.statusCode()).as(withToken.body()).isEqualTo(200);
            }
            assertThat(up.output()).contains("redis", "gateway-1", "gateway-2", up.runDir.resolve("admin-token").toString());

            long redisServer = Long.parseLong(Files.readString(up.runDir.resolve("redis").resolve("redis.pid")).strip());
            Set<ProcessHandle> processes = StrataProcess.processesOf(topology);
            assertThat(processes).extracting(ProcessHandle::pid).contains(redisServer);
            up.signal("INT");
            assertThat(up.awaitExit(Duration.ofSeconds(90))).isZero();
            assertThat(processes).noneMatch(ProcessHandle::isAlive);
        }
    }

    private JsonNode awaitCluster(String admin) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        JsonNode state = null;
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(admin + "/_strata/cluster")).build(),
                    HttpResponse.BodyHandlers.ofString());
            state = JSON.readTree(r.body());
            if (state.path("connected").asBoolean() && state.path("members").size() == 2) {
                assertThat(state.get("members").toString()).isEqualTo("[\"gateway-1\",\"gateway-2\"]");
                return state;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the gateways did not both join the cluster: " + state);
    }
}
