package dev.strata.gateway.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.gateway.Gateway;
import dev.strata.gateway.testing.Await;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.Servers;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard over real sockets: the page and its data from the admin listener, endpoints named as
 * the configuration names them, their rates and latencies, a stopped endpoint and a dead node shown as
 * down, and the events that say when.
 */
class DashboardTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final Servers servers = new Servers();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(Gateway g, String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.adminAddress().getPort() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode data(Gateway g) throws IOException, InterruptedException {
        HttpResponse<String> r = get(g, "/_strata/dashboard.json");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type")).hasValue("application/json");
        return JSON.readTree(r.body());
    }

    private JsonNode endpoint(Gateway g, String name) throws IOException, InterruptedException {
        for (JsonNode group : data(g).get("upstreams")) {
            for (JsonNode e : group.get("endpoints")) {
                if (e.get("name").asText().equals(name)) {
                    return e;
                }
            }
        }
        throw new AssertionError("no endpoint " + name);
    }

    private static List<String> events(JsonNode data) {
        List<String> out = new ArrayList<>();
        data.get("events").forEach(e -> out.add(e.get("kind").asText() + " " + e.get("subject").asText()));
        return out;
    }

    private static String checkedGroup(String endpoints) {
        return "  upstreams:\n    app:\n      endpoints: " + endpoints + "\n"
                + "      health: {active: {enabled: true, interval: 100ms, timeout: 100ms, healthy_threshold: 1,"
                + " unhealthy_threshold: 1}, slow_start: 0s}\n";
    }

    @Test
    void thePageAndItsFilesComeFromTheAdminListener() throws Exception {
        Origin o = servers.origin("o");
        Gateway g = servers.gateway(Configs.gateway("", o.address()));

        HttpResponse<String> page = get(g, "/_strata/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
        assertThat(page.body()).contains("<title>Strata dashboard</title>").contains("/_strata/dashboard.js");
        assertThat(get(g, "/_strata").body()).isEqualTo(page.body());
        assertThat(get(g, "/_strata/dashboard.js").headers().firstValue("content-type"))
                .hasValue("text/javascript; charset=utf-8");
        assertThat(get(g, "/_strata/dashboard.css").statusCode()).isEqualTo(200);

        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + g.adminAddress().getPort() + "/_strata/dashboard.json")).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("content-type")).hasValue("application/problem+json");
        assertThat(post.headers().firstValue("allow")).hasValue("GET");
    }

    @Test
    void anEndpointIsCalledByItsNodeNameWithItsAddressBeside() throws Exception {
        Origin a = servers.origin("a");
        Origin b = servers.origin("b");
        Gateway g = servers.gateway(Configs.gateway("  upstreams:\n    app:\n      endpoints: [{address: " + a.address()
                + ", name: links-a}, " + b.address() + "]\n      health: {active: {enabled: false}}\n"));

        JsonNode named = endpoint(g, "links-a");
        assertThat(named.get("address").asText()).isEqualTo(a.address());
        assertThat(named.get("state").asText()).isEqualTo("healthy");
        assertThat(endpoint(g, b.address()).get("address").asText()).isEqualTo(b.address());

        JsonNode upstreams = JSON.readTree(get(g, "/_strata/upstreams").body()).at("/upstreams/app/endpoints");
        assertThat(StreamSupport.stream(upstreams.spliterator(), false).map(e -> e.get("name").asText() + "@"
                + e.get("address").asText())).containsExactly("links-a@" + a.address(), b.address() + "@" + b.address());
        assertThat(get(g, "/_strata/metrics").body())
                .contains("strata_upstream_in_flight{endpoint=\"" + a.address() + "\",node=\"links-a\",upstream=\"app\"}");
    }

    @Test
    void trafficShowsAsRequestsASecondErrorsAndLatencyPercentiles() throws Exception {
        Origin o = servers.origin("o");
        Gateway g = servers.gateway(Configs.gateway("  upstreams:\n    app:\n      endpoints: [{address: "
                + o.address() + ", name: links-1}]\n      health: {active: {enabled: false}}\n"));
        URI uri = URI.create("http://127.0.0.1:" + g.listenerAddress("main").getPort() + "/hello");
        for (int i = 0; i < 40; i++) {
            assertThat(http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
                    .isEqualTo(200);
        }
        Await.until(() -> {
            try {
                JsonNode e = endpoint(g, "links-1");
                return e.get("requests_10s").asLong() >= 40 && !e.at("/latency_ms/p99").isNull();
            } catch (Exception ex) {
                throw new AssertionError(ex);
            }
        });
        JsonNode e = endpoint(g, "links-1");
        assertThat(e.get("error_rate").asDouble()).isZero();
        double p50 = e.at("/latency_ms/p50").asDouble();
        double p90 = e.at("/latency_ms/p90").asDouble();
        double p99 = e.at("/latency_ms/p99").asDouble();
        assertThat(p50).isPositive().isLessThanOrEqualTo(p90);
        assertThat(p90).isLessThanOrEqualTo(p99);
        assertThat(data(g).at("/gateway/name").asText()).isEqualTo("gateway");
    }

    @Test
    void aStoppedEndpointShowsAsDownAndTheEventsSayWhenItLeftAndCameBack() throws Exception {
        Origin a = servers.origin("a");
        Origin b = servers.origin("b");
        Gateway g = servers.gateway(Configs.gateway(checkedGroup("[{address: " + a.address() + ", name: links-1}, {address: "
                + b.address() + ", name: links-2}]")));
        Await.until(() -> state(g, "links-2").equals("healthy"));

        b.stop();
        Await.until(() -> state(g, "links-2").equals("unhealthy"));
        assertThat(state(g, "links-1")).isEqualTo("healthy");
        JsonNode down = data(g);
        assertThat(events(down)).contains("down links-2").doesNotContain("down links-1");

        b.start();
        Await.until(() -> state(g, "links-2").equals("healthy"));
        Await.until(() -> {
            try {
                return events(data(g)).contains("returned links-2");
            } catch (Exception ex) {
                throw new AssertionError(ex);
            }
        });
        assertThat(events(data(g))).endsWith("started gateway"); // newest first: the start is the oldest
    }

    @Test
    void anEjectionIsAnEventAsItHappens() throws Exception {
        Origin a = servers.origin("a");
        Origin b = servers.origin("b");
        Gateway g = servers.gateway(Configs.gateway("  upstreams:\n    app:\n      endpoints: [{address: " + a.address()
                + ", name: links-1}, {address: " + b.address() + ", name: links-2}]\n"
                + "      balance: {policy: round-robin}\n"
                + "      health: {active: {enabled: false}, outlier: {consecutive_gateway_failure: 1, base_ejection: 60s}}\n"));
        // the dashboard follows both endpoints from its first sample, taken as the gateway starts
        b.stop();
        URI uri = URI.create("http://127.0.0.1:" + g.listenerAddress("main").getPort() + "/x");
        for (int i = 0; i < 4; i++) { // a refused connection is retried on links-1: every request succeeds
            assertThat(http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding()).statusCode())
                    .isEqualTo(200);
        }
        Await.until(() -> state(g, "links-2").equals("ejected"));
        JsonNode d = data(g);
        assertThat(events(d)).contains("ejected links-2").doesNotContain("ejected links-1");
        assertThat(d.get("events").get(0).get("detail").asText()).isEqualTo("ejected by outlier detection");
        assertThat(endpoint(g, "links-2").get("ejections").asInt()).isEqualTo(1);
        assertThat(endpoint(g, "links-2").get("error_rate").asDouble()).isPositive();
    }

    private String state(Gateway g, String name) {
        try {
            return endpoint(g, name).get("state").asText();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void theStagesNodesComeFromTheTopologyFileAndADeadPidIsDown() throws Exception {
        Origin a = servers.origin("a");
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long self = ProcessHandle.current().pid();
        Path topology = dir.resolve("topology.json");
        Files.writeString(topology, "{\"nodes\": ["
                + "{\"name\": \"postgres\", \"role\": \"postgres\", \"url\": \"postgresql://127.0.0.1:5432/strata\", \"pid\": " + self + "},"
                + "{\"name\": \"links-1\", \"role\": \"links\", \"url\": \"http://" + a.address() + "\", \"pid\": " + gone.pid() + "}]}");
        Gateway g = servers.gateway(Configs.gateway("  admin: {address: 127.0.0.1:0, dashboard: {topology: " + topology + "}}\n"
                + "  upstreams:\n    app:\n      endpoints: [{address: " + a.address() + ", name: links-1}]\n"
                + "      health: {active: {enabled: false}}\n"));

        JsonNode d = data(g);
        assertThat(d.at("/topology/source").asText()).isEqualTo(topology.toString());
        assertThat(d.at("/topology/nodes/0/name").asText()).isEqualTo("postgres");
        assertThat(d.at("/topology/nodes/0/state").asText()).isEqualTo("up");
        assertThat(d.at("/topology/nodes/1/state").asText()).isEqualTo("down");
        assertThat(endpoint(g, "links-1").get("state").asText())
                .as("the gateway still reaches the origin, but the node's process is gone").isEqualTo("down");

        // the supervisor restarts the node and writes its new pid
        Files.writeString(topology, "{\"nodes\": [{\"name\": \"links-1\", \"role\": \"links\", \"url\": \"http://"
                + a.address() + "\", \"pid\": " + self + "}]}");
        Await.until(() -> state(g, "links-1").equals("healthy"));
        Await.until(() -> {
            try {
                return events(data(g)).contains("restarted links-1");
            } catch (Exception ex) {
                throw new AssertionError(ex);
            }
        });

        Files.writeString(topology, "{not json");
        Await.until(() -> {
            try {
                return data(g).at("/topology/problem").asText().equals("not valid JSON");
            } catch (Exception ex) {
                throw new AssertionError(ex);
            }
        });
        assertThat(data(g).at("/topology/nodes").size()).isZero();

        Files.writeString(topology, "{\"nodes\": [" + " ".repeat((int) Topology.MAX_BYTES) + "]}");
        Await.until(() -> {
            try {
                return data(g).at("/topology/problem").asText().endsWith("is larger than " + Topology.MAX_BYTES + " bytes");
            } catch (Exception ex) {
                throw new AssertionError(ex);
            }
        });
    }

    @Test
    void anEndpointAReloadRemovedIsDrainingUntilItsLastRequestEnds() throws Exception {
        Origin a = servers.origin("a");
        Origin b = servers.origin("b");
        Path file = dir.resolve("gateway.yaml");
        String yaml = "gateway:\n  io_threads: 1\n  listeners: [{name: main, address: 127.0.0.1:0}]\n"
                + "  admin: {address: 127.0.0.1:0, token: tok}\n  access_log: {enabled: false}\n  warmup: {enabled: false}\n"
                + "  upstreams: {app: {endpoints: [{address: " + a.address() + ", name: old}],"
                + " health: {active: {enabled: false}}}}\n";
        Gateway g = servers.gateway(file, yaml);
        try (var client = new dev.strata.gateway.testing.RawClient(g.listenerAddress("main"))) {
            client.send("GET /held/" + (2 * Origin.HELD_FIRST) + " HTTP/1.1\r\nHost: x\r\n\r\n");
            Await.until(() -> a.heldStarted() == 1);
            Files.writeString(file, yaml.replace("{address: " + a.address() + ", name: old}",
                    "{address: " + b.address() + ", name: new}"));
            HttpResponse<String> reload = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + g.adminAddress().getPort() + "/_strata/reload")).header("Authorization", "Bearer tok").POST(HttpRequest.BodyPublishers.noBody()).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(reload.statusCode()).isEqualTo(200);
            Await.until(() -> state(g, "old").equals("draining"));
            assertThat(endpoint(g, "new").get("state").asText()).isEqualTo("healthy");
            assertThat(events(data(g))).contains("draining old");

            a.releaseHeld();
            Await.until(() -> {
                try {
                    return data(g).at("/upstreams/0/endpoints").size() == 1;
                } catch (Exception ex) {
                    throw new AssertionError(ex);
                }
            });
            assertThat(endpoint(g, "new").get("address").asText()).isEqualTo(b.address());
        }
    }

    @Test
    void aReloadIsAnEventAndTheDashboardCanBeTurnedOff() throws Exception {
        Origin o = servers.origin("o");
        Path file = dir.resolve("gateway.yaml");
        String yaml = "gateway:\n  io_threads: 1\n  listeners: [{name: main, address: 127.0.0.1:0}]\n"
                + "  admin: {address: 127.0.0.1:0, token: tok}\n  access_log: {enabled: false}\n  warmup: {enabled: false}\n"
                + "  upstreams: {app: {endpoints: [" + o.address() + "], health: {active: {enabled: false}}}}\n";
        Gateway g = servers.gateway(file, yaml);
        HttpResponse<String> reload = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + g.adminAddress().getPort() + "/_strata/reload")).header("Authorization", "Bearer tok").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(reload.statusCode()).isEqualTo(200);
        Await.until(() -> {
            try {
                return events(data(g)).contains("reload gateway");
            } catch (Exception ex) {
                throw new AssertionError(ex);
            }
        });

        Files.writeString(file, yaml.replace("admin: {address: 127.0.0.1:0, token: tok}",
                "admin: {address: 127.0.0.1:0, token: tok, dashboard: {enabled: false}}"));
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.adminAddress().getPort()
                + "/_strata/reload")).header("Authorization", "Bearer tok").POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        assertThat(get(g, "/_strata/").statusCode()).isEqualTo(404);
        assertThat(get(g, "/_strata/dashboard.json").statusCode()).isEqualTo(404);
    }
}
