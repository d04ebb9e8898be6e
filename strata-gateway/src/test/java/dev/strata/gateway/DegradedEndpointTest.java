package dev.strata.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.gateway.testing.Await;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.Servers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An endpoint that serves in a degraded mode (a links node whose database takes no writes) says so
 * with {@code Strata-Degraded}: its 503s for writes eject no endpoint and are not retried on another
 * one (every endpoint would answer the same), and its health checks' field shows in the admin API
 * and on the dashboard, with an event when it begins and ends.
 */
class DegradedEndpointTest {

    @RegisterExtension
    final Servers servers = new Servers();

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void writesAnswered503DegradedEjectNothingAndAreNotRetried() throws Exception {
        List<Origin> origins = List.of(servers.origin("a"), servers.origin("b"));
        for (Origin o : origins) {
            o.script("/api/links", seen -> Origin.Reply.of(503, "{\"status\":503}", "Content-Type",
                    "application/problem+json", "Retry-After", "2", "Strata-Degraded", "database read-only"));
            o.script("/plain503", seen -> Origin.Reply.of(503, "busy"));
        }
        Gateway g = servers.gateway(Configs.gateway("""
                  upstreams:
                    app:
                      endpoints: [%s, %s]
                      health: {active: {enabled: false}, outlier: {consecutive_gateway_failure: 3}}
                """.formatted(origins.get(0).address(), origins.get(1).address())));
        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            for (int i = 0; i < 20; i++) {
                RawClient.Response post = c.send("POST /api/links HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n{}").read();
                assertThat(post.status()).isEqualTo(503);
                assertThat(post.header("retry-after")).isEqualTo("2");
                assertThat(post.header("content-type")).isEqualTo("application/problem+json");
                RawClient.Response put = c.send("PUT /api/links HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").read();
                assertThat(put.status()).isEqualTo(503);
            }
        }
        assertThat(FailoverTest.metrics(g)).contains("strata_upstream_ejections_total{upstream=\"app\"} 0.0");
        long reached = origins.stream().mapToLong(o -> o.seen("/api/links")).sum();
        assertThat(reached).as("one attempt per request: no retry of an idempotent PUT either").isEqualTo(40);
        for (Origin o : origins) {
            assertThat(FailoverTest.health(g, o.address()))
                    .isEqualTo("healthy");
        }

        // the same 503 without the field is the endpoint's failure: retried, and it ejects
        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            for (int i = 0; i < 10; i++) {
                c.send("GET /plain503 HTTP/1.1\r\nHost: a\r\n\r\n").read();
            }
        }
        assertThat(FailoverTest.metrics(g)).doesNotContain("strata_upstream_ejections_total{upstream=\"app\"} 0.0");
    }

    @Test
    void aDegradedModeTheChecksReportShowsInTheAdminApiAndOnTheDashboard() throws Exception {
        Origin origin = servers.origin("links-1");
        AtomicReference<String> mode = new AtomicReference<>("database read-only " + "x".repeat(200));
        origin.script("/ready", seen -> mode.get() == null ? Origin.Reply.of(200, "ready")
                : Origin.Reply.of(200, "ready", "Strata-Degraded", mode.get()));
        Gateway g = servers.gateway(Configs.gateway("""
                  upstreams:
                    app:
                      endpoints: [{address: %s, name: links-1}]
                      health: {active: {enabled: true, path: /ready, interval: 50ms, timeout: 1s}}
                """.formatted(origin.address())));
        Await.until(() -> dashboardEndpoint(g).has("degraded"));
        String shown = dashboardEndpoint(g).get("degraded").asText();
        assertThat(shown).as("bounded, printable").startsWith("database read-only x").hasSize(80);
        assertThat(FailoverTest.endpointInfo(g, origin.address())
                .path("degraded").asText()).isEqualTo(shown);
        assertThat(dashboardEndpoint(g).get("state").asText()).as("it serves").isEqualTo("healthy");

        mode.set(null);
        Await.until(() -> !dashboardEndpoint(g).has("degraded"));
        List<String> events = new ArrayList<>();
        dashboard(g).get("events").forEach(e -> events.add(e.get("kind").asText() + " " + e.get("subject").asText()));
        assertThat(events).contains("degraded links-1", "restored links-1");
    }

    private static JsonNode dashboardEndpoint(Gateway g) {
        return dashboard(g).at("/upstreams/0/endpoints/0");
    }

    private static JsonNode dashboard(Gateway g) {
        try (RawClient c = new RawClient(g.adminAddress())) {
            return JSON.readTree(c.send("GET /_strata/dashboard.json HTTP/1.1\r\nHost: a\r\n\r\n").read().body());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
