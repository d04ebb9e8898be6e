package dev.strata.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.gateway.testing.Await;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.OriginAndGateway;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.Servers;
import java.io.IOException;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One bad URL must not take a service down: a group of one endpoint that answers 500 to one URL keeps
 * serving every other URL, whatever passive detection counts (the default counts no 500, and the last
 * eligible endpoint is never ejected), and a group whose endpoints health took out keeps serving while
 * it panics.
 */
class OneBadUrlTest {

    /** The built-in defaults, a group of one: the case. */
    @RegisterExtension
    static final OriginAndGateway env = new OriginAndGateway("one", "");

    /** For the tests that need a configuration of their own. */
    @RegisterExtension
    final Servers servers = new Servers();

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void fiveAndMore500sFromOneUrlLeaveTheOtherUrlsServed() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            for (int i = 0; i < 12; i++) {
                RawClient.Response err = get(c, "/status/500");
                assertThat(err.status()).as("the origin's own answer, %d", i).isEqualTo(500);
                assertThat(err.header("x-served-by")).isEqualTo("one");
            }
            RawClient.Response ok = get(c, "/ok");
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.header("x-served-by")).isEqualTo("one");
        }
        JsonNode group = upstreams(env.admin()).path("app");
        assertThat(group.path("endpoints").get(0).path("health").asText()).isEqualTo("healthy");
        assertThat(group.path("panic").asBoolean()).isFalse();
    }

    @Test
    void evenWith5xxCountedTheSoleEndpointIsNotEjected() throws Exception {
        Origin origin = servers.origin("one");
        Gateway g = servers.gateway(Configs.gateway("""
                  upstreams:
                    app:
                      endpoints: [%s]
                      health: {active: {enabled: false}, outlier: {consecutive_5xx: 5, consecutive_gateway_failure: 5}}
                """.formatted(origin.address())));
        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            for (int i = 0; i < 12; i++) {
                assertThat(get(c, "/status/500").status()).isEqualTo(500);
            }
            for (int i = 0; i < 12; i++) {
                assertThat(get(c, "/status/503").status()).as("gateway errors too").isEqualTo(503);
            }
            assertThat(get(c, "/ok").status()).isEqualTo(200);
            assertThat(upstreams(g.adminAddress()).path("app").path("endpoints").get(0).path("health").asText())
                    .isEqualTo("healthy");
        }
    }

    @Test
    void aGroupWhoseEndpointsFailTheirChecksPanicsAndServes() throws Exception {
        // the checks ask a URL that answers 503: the endpoint is unhealthy, yet it serves /ok
        String checks = "active: {enabled: true, path: /status/503, interval: 50ms, timeout: 1s, unhealthy_threshold: 1}";
        Origin origin = servers.origin("one");
        Gateway g = servers.gateway(Configs.gateway("""
                  upstreams:
                    app:
                      endpoints: [%s]
                      health: {%s}
                """.formatted(origin.address(), checks)));
        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            Await.until(() -> health(g).equals("unhealthy"));
            assertThat(upstreams(g.adminAddress()).path("app").path("panic").asBoolean()).isTrue();
            RawClient.Response ok = get(c, "/ok");
            assertThat(ok.status()).isEqualTo(200);
            assertThat(ok.header("x-served-by")).isEqualTo("one");

            // without the panic threshold, the same group answers 503 itself
            g.reload(Configs.gateway("""
                      upstreams:
                        app:
                          endpoints: [%s]
                          balance: {panic_threshold: 0%%}
                          health: {%s}
                    """.formatted(origin.address(), checks)));
            assertThat(health(g)).as("the verdict survives the reload").isEqualTo("unhealthy");
            RawClient.Response refused = get(c, "/ok");
            assertThat(refused.status()).isEqualTo(503);
            assertThat(refused.text()).contains("no healthy endpoint in upstream group 'app'");
        }
    }

    @Test
    void inAGroupOfTwo500sEjectNothingAndGatewayErrorsEjectOne() throws Exception {
        Origin a = servers.origin("a");
        Origin b = servers.origin("b");
        Gateway g = servers.gateway(Configs.gateway("""
                  upstreams:
                    app:
                      endpoints: [%s, %s]
                      health: {active: {enabled: false}}
                """.formatted(a.address(), b.address())));
        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            for (int i = 0; i < 20; i++) {
                assertThat(get(c, "/status/500").status()).isEqualTo(500);
            }
            assertThat(FailoverTest.metrics(g)).contains("strata_upstream_ejections_total{upstream=\"app\"} 0.0");
            for (int i = 0; i < 20; i++) {
                get(c, "/status/502");
            }
            assertThat(FailoverTest.metrics(g)).contains("strata_upstream_ejections_total{upstream=\"app\"} 1.0");
            assertThat(get(c, "/ok").status()).as("the other one serves").isEqualTo(200);
        }
    }

    private static RawClient.Response get(RawClient c, String path) throws IOException {
        return c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
    }

    private static String health(Gateway g) {
        return upstreams(g.adminAddress()).path("app").path("endpoints").get(0).path("health").asText();
    }

    private static JsonNode upstreams(InetSocketAddress admin) {
        try (RawClient c = new RawClient(admin)) {
            return JSON.readTree(get(c, "/_strata/upstreams").body()).path("upstreams");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
