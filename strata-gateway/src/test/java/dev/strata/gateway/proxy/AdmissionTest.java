package dev.strata.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.config.GatewayConfig;
import dev.strata.gateway.filter.FilterStates;
import dev.strata.gateway.filter.builtin.BuiltInFilters;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.upstream.Upstreams;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Admission as the pure function it is: a head parsed from bytes and a configuration generation, no sockets. */
class AdmissionTest {

    private static final GatewayConfig CONFIG = Configs.gateway("""
              limits: {max_request_line: 1KiB, max_header_size: 2KiB, max_body: 1MiB}
              routes:
                - {name: static, path_prefix: /static, max_body: 100}
                - {name: api, host: api.example, path_prefix: /v1}
                - {name: other-static, host: other.example, path_prefix: /static}
                - {name: other-root, host: other.example, path_prefix: /}
            """, "127.0.0.1:9");

    private static final Snapshot SNAPSHOT = Snapshot.of(CONFIG, Upstreams.empty(), Snapshot.chains(CONFIG,
            BuiltInFilters.types(), new FilterStates(new SimpleMeterRegistry()).builder(), false));

    /** The head the client pipeline's decoder makes of {@code bytes}, with the configuration's limits. */
    private static RequestHead head(String bytes) {
        EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder(() -> CONFIG.limits(), null));
        try {
            ch.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
            Object first = ch.readInbound();
            assertThat(first).isInstanceOf(RequestHead.class);
            return (RequestHead) first;
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    private static Admission.Decision admit(String bytes) {
        return Admission.admit(head(bytes), SNAPSHOT);
    }

    private static String route(String bytes) {
        Admission.Decision d = admit(bytes);
        assertThat(d).isInstanceOf(RoutePlan.class);
        return ((RoutePlan) d).route().name();
    }

    private static Admission.Refusal refusal(String bytes) {
        Admission.Decision d = admit(bytes);
        assertThat(d).isInstanceOf(Admission.Refusal.class);
        return (Admission.Refusal) d;
    }

    @Test
    void aRouteIsFoundByHostAndPath() {
        assertThat(route("GET /static/app.js HTTP/1.1\r\nHost: www.test\r\n\r\n")).isEqualTo("static");
        assertThat(route("GET /v1/items?page=2 HTTP/1.1\r\nHost: API.example:8443\r\n\r\n")).isEqualTo("api");
        assertThat(route("GET /static/x HTTP/1.1\r\nHost: api.example\r\n\r\n"))
                .as("a host's routes, then the routes of any host").isEqualTo("static");
        assertThat(route("GET /static/x HTTP/1.1\r\nHost: other.example\r\n\r\n")).isEqualTo("other-static");
        assertThat(route("GET /elsewhere HTTP/1.1\r\nHost: other.example\r\n\r\n")).isEqualTo("other-root");
        assertThat(route("GET /static/x HTTP/1.0\r\n\r\n")).as("HTTP/1.0 needs no Host").isEqualTo("static");
    }

    @Test
    void theRoutePlanCarriesTheRoutesBodyLimit() {
        assertThat(((RoutePlan) admit("GET /static/x HTTP/1.1\r\nHost: a\r\n\r\n")).maxBody()).isEqualTo(100);
        assertThat(((RoutePlan) admit("GET /v1 HTTP/1.1\r\nHost: api.example\r\n\r\n")).maxBody()).isEqualTo(1 << 20);
    }

    @Test
    void noRouteIs404ClosingOnlyWhenABodyWouldHaveToBeRead() {
        Admission.Refusal r = refusal("GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.detail()).isEqualTo("no route for this host and path");
        assertThat(r.close()).isFalse();
        assertThat(refusal("GET /v2 HTTP/1.1\r\nHost: api.example\r\n\r\n").status()).isEqualTo(404);
        Admission.Refusal withBody = refusal("POST /nowhere HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello");
        assertThat(withBody.status()).isEqualTo(404);
        assertThat(withBody.close()).isTrue();
    }

    @Test
    void anHttp11RequestWithoutHostIs400() {
        Admission.Refusal r = refusal("GET /static/x HTTP/1.1\r\n\r\n");
        assertThat(r.status()).isEqualTo(400);
        assertThat(r.detail()).contains("Host");
        assertThat(r.close()).isTrue();
    }

    @Test
    void twoHostsAre400EvenForHttp10() {
        assertThat(refusal("GET /static/x HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").status()).isEqualTo(400);
        assertThat(refusal("GET /static/x HTTP/1.0\r\nHost: a\r\nHost: a\r\n\r\n").status()).isEqualTo(400);
    }

    @Test
    void anUnknownExpectationIs417() {
        Admission.Refusal r = refusal("GET /static/x HTTP/1.1\r\nHost: a\r\nExpect: something-else\r\n\r\n");
        assertThat(r.status()).isEqualTo(417);
        assertThat(r.close()).isFalse();
        Admission.Refusal withBody = refusal("PUT /static/x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                + "Expect: 200-ok\r\n\r\n");
        assertThat(withBody.status()).isEqualTo(417);
        assertThat(withBody.close()).as("the body that follows is not read").isTrue();
        assertThat(route("PUT /static/x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-Continue\r\n\r\n"))
                .isEqualTo("static");
    }

    @Test
    void aDeclaredBodyOverTheRoutesLimitIs413() {
        Admission.Refusal r = refusal("POST /static/up HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n");
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.detail()).contains("100 bytes");
        assertThat(r.close()).isTrue();
        assertThat(route("POST /static/up HTTP/1.1\r\nHost: a\r\nContent-Length: 100\r\n\r\n")).isEqualTo("static");
        assertThat(route("POST /static/up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"))
                .as("a chunked body is counted as it streams").isEqualTo("static");
        assertThat(route("POST /v1/up HTTP/1.1\r\nHost: api.example\r\nContent-Length: 1000\r\n\r\n"))
                .as("the gateway's limit elsewhere").isEqualTo("api");
    }

    @Test
    void anAbsoluteFormTargetIsRoutedOnItsHostAndPath() {
        assertThat(route("GET http://other.example/static/z HTTP/1.1\r\nHost: api.example\r\n\r\n"))
                .as("the target's authority, not the Host field").isEqualTo("other-static");
        assertThat(route("GET http://api.example:8080/v1/items?q=1 HTTP/1.1\r\nHost: api.example\r\n\r\n"))
                .isEqualTo("api");
        assertThat(route("GET http://other.example?x=/static/y HTTP/1.1\r\nHost: other.example\r\n\r\n"))
                .as("no path: /, whatever the query holds").isEqualTo("other-root");
        assertThat(route("GET http://other.example#/static/y HTTP/1.1\r\nHost: other.example\r\n\r\n"))
                .isEqualTo("other-root");
        RequestHead h = head("GET http://other.example?x=/static/y HTTP/1.1\r\nHost: other.example\r\n\r\n");
        assertThat(h.path()).isEqualTo("/");
        assertThat(h.query()).isEqualTo("x=/static/y");
        assertThat(h.host()).isEqualTo("other.example");
    }

    @Test
    void aBrokenAbsoluteTargetOrATargetOfNoFormIs400() {
        assertThat(refusal("GET http://user@other.example/ HTTP/1.1\r\nHost: other.example\r\n\r\n").status())
                .isEqualTo(400);
        assertThat(refusal("GET http:///static/x HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(400);
        assertThat(refusal("GET static/x HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(400);
    }

    @Test
    void checksComeInTheOrderAClientWouldWantItsFirstProblemNamed() {
        assertThat(refusal("POST /nowhere HTTP/1.1\r\nHost: a\r\nHost: b\r\nExpect: x\r\nContent-Length: 999\r\n\r\n")
                .status()).isEqualTo(400);
        assertThat(refusal("POST /nowhere HTTP/1.1\r\nHost: a\r\nExpect: x\r\nContent-Length: 999\r\n\r\n")
                .status()).isEqualTo(417);
        assertThat(refusal("POST /nowhere HTTP/1.1\r\nHost: a\r\nContent-Length: 999\r\n\r\n").status())
                .isEqualTo(404);
    }

    @Test
    void aHeadTheDecoderRefusedKeepsItsStatus() {
        Admission.Refusal longLine = refusal("GET /" + "a".repeat(1100) + " HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(longLine.status()).isEqualTo(414);
        assertThat(longLine.close()).isTrue();
        Admission.Refusal largeHead = refusal("GET /static/x HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(2100)
                + "\r\n\r\n");
        assertThat(largeHead.status()).isEqualTo(431);
        assertThat(largeHead.close()).isTrue();
        Admission.Refusal version = refusal("GET /static/x HTTP/2.0\r\nHost: a\r\n\r\n");
        assertThat(version.status()).isEqualTo(505);
        assertThat(version.close()).isTrue();
        Admission.Refusal framing = refusal("POST /static/x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n");
        assertThat(framing.status()).isEqualTo(400);
        assertThat(framing.detail()).contains("both Content-Length and Transfer-Encoding");
        assertThat(framing.close()).isTrue();
        Admission.Refusal timedOut = (Admission.Refusal) Admission.admit(
                RequestHead.failed(408, "the request head did not arrive in time"), SNAPSHOT);
        assertThat(timedOut).isEqualTo(new Admission.Refusal(408, "the request head did not arrive in time", true));
    }
}
