package dev.strata.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.common.process.ChildSignals;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./strata up --stage 2}: the gateway in front of one links node. */
class UpStage2Test {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private HttpResponse<String> create(String base, String client) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/api/links"))
                .header("Content-Type", "application/json").header("X-Forwarded-For", client)
                .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"https://example.org/many\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theGatewayFrontsOneLinksNode() throws Exception {
        // as `nohup strata up` starts it: the gateway node must still reload on SIGHUP
        try (StrataProcess up = StrataProcess.upUnderNohup(dir, StrataProcess.upSection(dir, 2), "--stage", "2")) {
            JsonNode topology = up.awaitTopology(Duration.ofMinutes(3));
            assertThat(topology.get("nodes")).hasSize(3);
            JsonNode gateway = StrataProcess.node(topology, "gateway");
            assertThat(gateway.get("role").asText()).isEqualTo("gateway");
            String base = gateway.get("url").asText();
            String admin = gateway.get("admin_url").asText();

            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/api/links"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"https://example.org/two\",\"code\":\"stage-two\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            assertThat(JSON.readTree(created.body()).get("short_url").asText()).isEqualTo(base + "/stage-two");

            HttpResponse<String> redirect = http.send(HttpRequest.newBuilder(URI.create(base + "/stage-two")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(redirect.statusCode()).isEqualTo(302);
            assertThat(redirect.headers().firstValue("Location")).hasValue("https://example.org/two");
            assertThat(redirect.headers().firstValue("X-Served-By")).hasValue("links-1");
            assertThat(redirect.headers().firstValue("Via")).hasValueSatisfying(v -> assertThat(v).contains("gateway"));
            assertThat(redirect.headers().firstValue("Surrogate-Key")).as("the gateway's cache hides tags").isEmpty();
            HttpResponse<String> cached = http.send(HttpRequest.newBuilder(URI.create(base + "/stage-two")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(cached.headers().firstValue("Cache-Status")).hasValueSatisfying(v -> assertThat(v).contains("hit"));
            // after a PUT returns, the next GET through the gateway redirects to the new URL
            String token = JSON.readTree(created.body()).get("manage_token").asText();
            HttpResponse<String> updated = http.send(HttpRequest.newBuilder(URI.create(base + "/api/links/stage-two"))
                    .header("Content-Type", "application/json").header("Authorization", "Bearer " + token)
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"url\":\"https://example.org/three\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
            HttpResponse<String> moved = http.send(HttpRequest.newBuilder(URI.create(base + "/stage-two")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(moved.headers().firstValue("Location")).hasValue("https://example.org/three");
            assertThat(redirect.headers().firstValue("RateLimit-Policy")).as("loopback is allow-listed").isEmpty();
            HttpResponse<String> fromAfar = http.send(HttpRequest.newBuilder(URI.create(base + "/stage-two"))
                    .header("X-Forwarded-For", "192.0.2.76").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(fromAfar.headers().firstValue("RateLimit-Policy")).hasValue("\"read\";q=200;w=1");
            assertThat(fromAfar.headers().firstValue("RateLimit")).hasValue("\"read\";r=399;t=1");

            // the stage's rate limits: one client creates 10 links at once, the 11th waits
            for (int i = 0; i < 10; i++) {
                assertThat(create(base, "192.0.2.77").statusCode()).as("creation %d of the burst", i).isEqualTo(201);
            }
            HttpResponse<String> limited = create(base, "192.0.2.77");
            assertThat(limited.statusCode()).isEqualTo(429);
            // one every 2 s: the next creation is at most 2 s away, less the time the burst took
            String retryAfter = limited.headers().firstValue("Retry-After").orElseThrow();
            assertThat(retryAfter).isIn("1", "2");
            assertThat(limited.headers().firstValue("RateLimit")).hasValue("\"create\";r=0;t=" + retryAfter);
            assertThat(create(base, "192.0.2.78").statusCode()).as("another client").isEqualTo(201);

            HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create(base + "/api/links"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"url\": 42}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(bad.headers().firstValue("Content-Type")).hasValue("application/problem+json");

            HttpResponse<String> upstreams = http.send(HttpRequest.newBuilder(URI.create(admin + "/_strata/upstreams")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(upstreams.body()).contains(URI.create(StrataProcess.node(topology, "links-1").get("url").asText()).getAuthority());

            if (ChildSignals.settable()) {
                new ProcessBuilder("kill", "-HUP", gateway.get("pid").asText()).inheritIO().start().waitFor();
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (!up.log("gateway").contains("SIGHUP: reloaded") && System.nanoTime() < deadline) {
                    Thread.sleep(100);
                }
                assertThat(up.log("gateway")).contains("SIGHUP: reloaded").doesNotContain("SIGHUP is ignored");
                assertThat(http.send(HttpRequest.newBuilder(URI.create(base + "/stage-two")).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(302);
            }

            Set<ProcessHandle> processes = StrataProcess.processesOf(topology);
            up.signal("INT");
            assertThat(up.awaitExit(Duration.ofSeconds(90))).isZero();
            assertThat(processes).noneMatch(ProcessHandle::isAlive);
        }
    }
}
