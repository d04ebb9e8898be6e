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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./strata up --stage 3}: the gateway balancing three links nodes, one of which is killed. */
class UpStage3Test {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void killMinusNineOfOneNodeUnderLoadFailsNoIdempotentRequest() throws Exception {
        String yaml = StrataProcess.upSection(dir, 3).replace("restart: false", "restart: true");
        try (StrataProcess up = StrataProcess.up(dir, yaml, "--stage", "3", "--nodes", "3")) {
            JsonNode topology = up.awaitTopology(Duration.ofMinutes(4));
            JsonNode gateway = StrataProcess.node(topology, "gateway");
            String base = gateway.get("url").asText();
            String admin = gateway.get("admin_url").asText();
            JsonNode victim = StrataProcess.node(topology, "links-2");
            String victimEndpoint = URI.create(victim.get("url").asText()).getAuthority();

            // one URL shows the whole stage: the gateway's named endpoints and every node, the database included
            assertThat(awaitOutput(up, "/_strata/")).contains("dashboard", admin + "/_strata/");
            JsonNode dashboard = dashboard(admin);
            for (long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                    dashboard.at("/topology/nodes").size() < 5 && System.nanoTime() < until; dashboard = dashboard(admin)) {
                Thread.sleep(100); // the gateway reads topology.json, written once every node is ready, on its next sample
            }
            assertThat(dashboard.findValues("endpoints").get(0).findValuesAsText("name"))
                    .containsExactly("links-1", "links-2", "links-3");
            assertThat(dashboard.at("/topology/nodes").findValuesAsText("name"))
                    .containsExactly("postgres", "links-1", "links-2", "links-3", "gateway");
            assertThat(dashboard.at("/topology/nodes").findValuesAsText("state")).containsOnly("up");

            HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(base + "/api/links"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"https://example.org/three\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
            JsonNode link = JSON.readTree(created.body());
            String code = link.get("code").asText();
            assertThat(link.get("short_url").asText()).startsWith(base);

            // statelessness: any node verifies the manage token minted by another
            String token = link.get("manage_token").asText();
            HttpResponse<String> updated = http.send(HttpRequest.newBuilder(
                            URI.create(StrataProcess.node(topology, "links-3").get("url").asText() + "/api/links/" + code))
                    .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"url\":\"https://example.org/three-b\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);

            AtomicBoolean running = new AtomicBoolean(true);
            AtomicInteger ok = new AtomicInteger();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            Set<String> servedBy = ConcurrentHashMap.newKeySet();
            List<Thread> clients = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                String path = i % 2 == 0 ? "/api/links/" + code : "/" + code;
                clients.add(Thread.ofPlatform().start(() -> {
                    long stopAt = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                    while (running.get() && System.nanoTime() < stopAt) {
                        try {
                            // no-cache: past the gateway's cache, so that every request meets the nodes
                            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                                    .header("Cache-Control", "no-cache")
                                    .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.discarding());
                            if (r.statusCode() == 200 || r.statusCode() == 302) {
                                ok.incrementAndGet();
                                r.headers().firstValue("X-Served-By").ifPresent(servedBy::add);
                            } else {
                                failures.add(path + " -> " + r.statusCode());
                            }
                        } catch (Exception e) {
                            failures.add(path + " -> " + e);
                        }
                    }
                }));
            }
            awaitCount(ok, 300);
            new ProcessBuilder("kill", "-9", victim.get("pid").asText()).inheritIO().start().waitFor();
            int atKill = ok.get();
            awaitCount(ok, atKill + 600);
            assertThat(upstreamHealth(admin, victimEndpoint)).as("the dead node is out of rotation")
                    .isIn("ejected", "unhealthy");

            // the supervisor restarts the node; the gateway admits it again
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!"healthy".equals(upstreamHealth(admin, victimEndpoint)) && System.nanoTime() < deadline) {
                Thread.sleep(500);
            }
            assertThat(upstreamHealth(admin, victimEndpoint)).isEqualTo("healthy");
            List<String> events = new ArrayList<>();
            dashboard(admin).get("events").forEach(e -> events.add(e.get("kind").asText() + " " + e.get("subject").asText()));
            assertThat(events).as("the dashboard's events").contains("restarted links-2");
            running.set(false);
            for (Thread t : clients) {
                t.join();
            }
            assertThat(failures).as(() -> "failed idempotent requests; logs:\n" + up.log("gateway")
                    + up.log("links-1") + up.log("links-2") + up.log("links-3")).isEmpty();
            assertThat(servedBy).as("traffic reached several nodes").hasSizeGreaterThanOrEqualTo(2);
        }
    }

    private JsonNode dashboard(String admin) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(admin + "/_strata/dashboard.json")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    /** What up printed, once it printed {@code text} (the node table follows the last ready line). */
    private static String awaitOutput(StrataProcess up, String text) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!up.output().contains(text) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        return up.output();
    }

    private static void awaitCount(AtomicInteger counter, int target) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (counter.get() < target && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }

    private String upstreamHealth(String admin, String endpoint) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(admin + "/_strata/upstreams")).build(),
                HttpResponse.BodyHandlers.ofString());
        Set<String> seen = new HashSet<>();
        for (JsonNode ep : JSON.readTree(r.body()).findValues("endpoints").stream()
                .flatMap(a -> { List<JsonNode> l = new ArrayList<>(); a.forEach(l::add); return l.stream(); }).toList()) {
            seen.add(ep.path("address").asText(ep.path("id").asText()));
            if (endpoint.equals(ep.path("address").asText()) || endpoint.equals(ep.path("id").asText())) {
                return ep.get("health").asText();
            }
        }
        throw new AssertionError("endpoint " + endpoint + " not in " + seen + ": " + r.body());
    }
}
