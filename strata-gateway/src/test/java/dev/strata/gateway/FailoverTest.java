package dev.strata.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.gateway.testing.Await;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.Servers;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** An endpoint dies under sequential traffic: no failed response, ejection, re-admission; all down: 503. */
class FailoverTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void deadEndpointCostsNoFailedRequestAndIsEjectedThenReadmitted() throws Exception {
        List<Origin> origins = servers.origins("o", 3);
        Gateway g = servers.gateway(Configs.gateway("""
                  upstreams:
                    app:
                      endpoints: [%s, %s, %s]
                      health:
                        active: {enabled: true, path: /healthz, interval: 100ms, timeout: 500ms, healthy_threshold: 1, unhealthy_threshold: 1}
                        outlier: {enabled: true, consecutive_gateway_failure: 1, base_ejection: 1s, max_ejection: 2s, max_ejected_percent: 50}
                        slow_start: 0s
                """.formatted(origins.get(0).address(), origins.get(1).address(), origins.get(2).address())));
        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            int failures = 0;
            for (int i = 0; i < 300; i++) {
                if (i == 100) {
                    origins.get(1).stop();
                }
                RawClient.Response r = c.send("GET /seq/" + i + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
                if (r.status() != 200) {
                    failures++;
                }
            }
            assertThat(failures).isZero();
        }
        // every attempt, failed or not, gave its in-flight count back exactly once
        for (Origin o : origins) {
            assertThat(inFlight(g, o.address())).isZero();
        }
        String dead = origins.get(1).address();
        Await.until(() -> !health(g, dead).equals("healthy"));
        origins.get(1).start();
        Await.until(() -> health(g, dead).equals("healthy"));
    }

    @Test
    void activeChecksRunOnTheirIntervalAndStopWithTheGateway() throws Exception {
        Origin o = servers.origin("o");
        String config = """
                  upstreams:
                    app:
                      endpoints: [%s]
                      health: {active: {enabled: true, path: /healthz, interval: 50ms, timeout: 500ms}}
                """.formatted(o.address());
        Gateway g = servers.gateway(Configs.gateway(config));
        Await.until(() -> o.healthChecks() >= 3);
        // a reload keeps checking (one checker per generation, the old one stopped)
        g.reload(Configs.gateway(config));
        int before = o.healthChecks();
        Await.until(() -> o.healthChecks() >= before + 3);
        g.close();
        Thread.sleep(200);
        int after = o.healthChecks();
        Thread.sleep(300);
        assertThat(o.healthChecks()).isEqualTo(after);
        assertThat(o.seen()).isEmpty(); // checks are not proxied requests
    }

    @Test
    void allEndpointsDownIs503WithRetryAfter() throws Exception {
        Origin a = servers.origin("a");
        Origin b = servers.origin("b");
        String addrA = a.address();
        String addrB = b.address();
        a.stop();
        b.stop();
        Gateway g = servers.gateway(Configs.gateway("", addrA, addrB));
        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            RawClient.Response r = c.send("GET / HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.header("retry-after")).isEqualTo("1");
            assertThat(r.header("content-type")).isEqualTo("application/problem+json");
            assertThat(r.text()).contains("\"status\":503");
        }
    }

    @Test
    void nonIdempotentRequestIsNotRetriedAfterItsBodyWasSent() throws Exception {
        Origin o = servers.origin("o");
        Gateway g = servers.gateway(Configs.gateway("", o.address()));
        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            RawClient.Response r = c.send("POST /status/503 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi").read();
            assertThat(r.status()).isEqualTo(503); // the origin's own answer, passed on once
            assertThat(r.header("x-served-by")).isEqualTo("o");
        }
        g.close();
        assertThat(o.seen()).hasSize(1);
    }

    @Test
    void idempotent503IsRetriedOnAnotherEndpoint() throws Exception {
        Origin bad = servers.origin("bad");
        Origin good = servers.origin("good");
        Gateway g = servers.gateway(Configs.gateway("""
                  routes: [{name: r, host: "*", path_prefix: /, upstream: app}]
                  upstreams:
                    app:
                      endpoints: [%s, %s]
                      health: {active: {enabled: false}}
                """.formatted(bad.address(), good.address())));
        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            // /status/503 answers 503 on both; the retry goes to the other endpoint, whose 503 is passed on
            RawClient.Response r = c.send("GET /status/503 HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(503);
        }
        g.close();
        assertThat(bad.seen().size() + good.seen().size()).isEqualTo(2);
        assertThat(bad.seen()).hasSize(1);
    }

    static int inFlight(Gateway g, String endpoint) {
        return endpointInfo(g, endpoint).path("in_flight").asInt(-1);
    }

    @Test
    void theEjectionCounterSurvivesAReload() throws Exception {
        Origin a = servers.origin("a");
        Origin b = servers.origin("b");
        String config = """
                  upstreams:
                    app:
                      endpoints: [%s, %s]
                      health:
                        active: {enabled: false}
                        outlier: {enabled: true, consecutive_gateway_failure: 1, base_ejection: 5m, max_ejected_percent: 50}
                """.formatted(a.address(), b.address());
        Gateway g = servers.gateway(Configs.gateway(config));
        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            b.stop();
            for (int i = 0; i < 10; i++) {
                assertThat(c.send("GET /e/" + i + " HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
            }
            Await.until(() -> health(g, b.address()).equals("ejected"));
            assertThat(metrics(g)).contains("strata_upstream_ejections_total{upstream=\"app\"} 1.0");
            g.reload(Configs.gateway(config));
            assertThat(metrics(g)).contains("strata_upstream_ejections_total{upstream=\"app\"} 1.0");
            assertThat(health(g, b.address())).as("the ejection itself survives too").isEqualTo("ejected");
        }
    }

    @Test
    void connectFailuresAreRetriedEvenWithNoRetryBudget() throws Exception {
        Origin live = servers.origin("live");
        Origin dead1 = servers.origin("dead1");
        Origin dead2 = servers.origin("dead2");
        dead1.stop();
        dead2.stop();
        // a budget that allows no retry at all: only connect failures may still go elsewhere
        Gateway g = servers.gateway(Configs.gateway("""
                  upstreams:
                    app:
                      endpoints: [%s, %s, %s]
                      health: {active: {enabled: false}, outlier: {enabled: false}}
                      retry: {max_attempts: 3, budget_ratio: 0.0, min_concurrency: 0}
                """.formatted(dead1.address(), dead2.address(), live.address())));
        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            // least-request picks at random among equals: most of these requests try a dead one first
            for (int i = 0; i < 40; i++) {
                assertThat(c.send("GET /r/" + i + " HTTP/1.1\r\nHost: a\r\n\r\n").read().status())
                        .as("request %d", i).isEqualTo(200);
            }
            // a 503 from the endpoint itself is retried only within the budget: none here
            RawClient.Response r = c.send("GET /status/503 HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.header("x-served-by")).isEqualTo("live");
        }
    }

    static String metrics(Gateway g) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + g.adminAddress().getPort() + "/_strata/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
    }

    static String health(Gateway g, String endpoint) {
        return endpointInfo(g, endpoint).path("health").asText("missing");
    }

    static JsonNode endpointInfo(Gateway g, String endpoint) {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + g.adminAddress().getPort() + "/_strata/upstreams")).build(),
                    HttpResponse.BodyHandlers.ofString());
            for (JsonNode e : JSON.readTree(r.body()).path("upstreams").path("app").path("endpoints")) {
                if (e.path("id").asText().equals(endpoint)) {
                    return e;
                }
            }
            return JSON.createObjectNode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

}
