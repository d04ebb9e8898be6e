package dev.strata.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.gateway.testing.OriginAndGateway;
import dev.strata.gateway.testing.RawClient;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The admin listener. */
class AdminTest {

    @RegisterExtension
    static final OriginAndGateway env = new OriginAndGateway("o1", "  admin: {address: 127.0.0.1:0, token: s3cret}\n");

    /** Runs after {@link #env} has started the origin and the gateway. */
    @BeforeAll
    static void warmUp() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            c.send("GET /warm HTTP/1.1\r\nHost: a\r\n\r\n").read();
        }
    }

    private static RawClient.Response call(String request) throws Exception {
        try (RawClient c = new RawClient(env.admin())) {
            return c.send(request).read();
        }
    }

    @Test
    void healthIsOk() throws Exception {
        RawClient.Response r = call("GET /_strata/health HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("{\"status\":\"ok\"}");
    }

    @Test
    void metricsArePrometheusText() throws Exception {
        RawClient.Response r = call("GET /_strata/metrics HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("content-type")).startsWith("text/plain");
        assertThat(r.text())
                .contains("strata_requests_total{route=\"default\",status=\"200\"}")
                .contains("strata_upstream_requests_total{endpoint=\"" + env.origin().address() + "\",node=\""
                        + env.origin().address() + "\",outcome=\"success\",upstream=\"app\"}") // no name: the address
                .contains("strata_request_duration_seconds_bucket")
                .contains("strata_requests_in_flight")
                .contains("strata_upstream_ejections")
                .contains("strata_upstream_in_flight")
                .contains("strata_upstream_response_time_seconds_bucket{endpoint=\"" + env.origin().address() + "\"");
        assertThat(r.text().lines().filter(l -> l.startsWith("# HELP ")))
                .as("every metric says what it measures").isNotEmpty()
                .allSatisfy(help -> assertThat(help.split(" ", 4)).hasSize(4).satisfies(parts ->
                        assertThat(parts[3].strip()).as(help).isNotEmpty()));
    }

    @Test
    void upstreamsDescribeEveryEndpoint() throws Exception {
        RawClient.Response r = call("GET /_strata/upstreams HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        JsonNode group = new ObjectMapper().readTree(r.body()).path("upstreams").path("app");
        assertThat(group.path("panic").isBoolean()).isTrue();
        assertThat(group.path("panic").asBoolean()).isFalse();
        JsonNode e = group.path("endpoints").get(0);
        assertThat(e.path("id").asText()).isEqualTo(env.origin().address());
        assertThat(e.path("health").asText()).isEqualTo("healthy");
        assertThat(e.path("in_flight").asInt()).isZero();
        assertThat(e.has("ewma_latency_ms")).isTrue();
        assertThat(e.path("ewma_latency_ms").asDouble()).isPositive();
        assertThat(e.path("weight").asDouble()).isEqualTo(1.0);
    }

    @Test
    void wrongMethodIs405AndUnknownIs404() throws Exception {
        RawClient.Response r = call("POST /_strata/health HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
        assertThat(r.status()).isEqualTo(405);
        assertThat(r.header("content-type")).isEqualTo("application/problem+json");
        assertThat(call("GET /_strata/reload HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(405);
        RawClient.Response unknown = call("GET /_strata/nope HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.header("content-type")).isEqualTo("application/problem+json");
    }

    @Test
    void reloadNeedsTheTokenAndAFile() throws Exception {
        assertThat(call("POST /_strata/reload HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n").status()).isEqualTo(403);
        assertThat(call("POST /_strata/reload HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer wrong\r\nContent-Length: 0\r\n\r\n")
                .status()).isEqualTo(403);
        // started from a config object, not a file: nothing to reload from
        assertThat(call("POST /_strata/reload HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer s3cret\r\nContent-Length: 0\r\n\r\n")
                .status()).isEqualTo(409);
    }
}
