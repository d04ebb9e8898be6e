package dev.strata.gateway.filter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.OriginAndGateway;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.Servers;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A route's {@code respond:} (a direct response) over real sockets. */
class RespondRouteTest {

    @RegisterExtension
    static final OriginAndGateway env = new OriginAndGateway("o1", """
              name: gw-test
              routes:
                - {name: moved, path_prefix: /old, respond: {status: 302, headers: {Location: /elsewhere}}}
                - {name: down, path_prefix: /down, respond: {status: 503, headers: {Retry-After: "60"}, body: "back soon\\n"}}
                - name: health
                  path_prefix: /health
                  respond: {status: 200, headers: {Content-Type: application/json}, body: '{"status":"up"}'}
                - {name: proxied, path_prefix: /, upstream: app}
            """);

    /** For the test that starts a gateway of its own, without an upstream. */
    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void aRedirectIsAnsweredByTheGatewayOnAKeptConnection() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            for (int i = 0; i < 2; i++) {
                RawClient.Response r = c.send("GET /old/page?x=" + i + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(302);
                assertThat(r.header("location")).isEqualTo("/elsewhere");
                assertThat(r.header("x-served-by")).isEqualTo("gw-test");
                assertThat(ZonedDateTime.parse(r.header("date"), DateTimeFormatter.RFC_1123_DATE_TIME)).isNotNull();
                assertThat(r.headers("content-length")).containsExactly("0");
                assertThat(r.header("connection")).isNull();
                assertThat(r.header("content-type")).isNull();
                assertThat(r.body()).isEmpty();
            }
            // and a proxied request on the same connection after them
            assertThat(c.send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n").read().text()).startsWith("o1 GET /after");
        }
        assertThat(env.origin().seen()).extracting(s -> s.uri()).containsExactly("/after");
    }

    @Test
    void aBodyWithoutContentTypeIsPlainText() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("GET /down HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.text()).isEqualTo("back soon\n");
            assertThat(r.header("content-type")).isEqualTo("text/plain; charset=utf-8");
            assertThat(r.header("content-length")).isEqualTo("10");
            assertThat(r.header("retry-after")).isEqualTo("60");
            assertThat(r.header("connection")).isNull();
        }
        assertThat(env.origin().seen()).isEmpty();
    }

    @Test
    void aGivenContentTypeIsKept() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("GET /health HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.headers("content-type")).containsExactly("application/json");
            assertThat(r.text()).isEqualTo("{\"status\":\"up\"}");
        }
    }

    @Test
    void headGetsTheHeadWithoutTheBody() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("HEAD /down HTTP/1.1\r\nHost: a\r\n\r\n").read(true);
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.header("content-length")).isEqualTo("10");
            assertThat(r.header("content-type")).isEqualTo("text/plain; charset=utf-8");
            // had a body followed the head, this would read it as a status line
            RawClient.Response next = c.send("GET /health HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.text()).isEqualTo("{\"status\":\"up\"}");
        }
        assertThat(env.origin().seen()).isEmpty();
    }

    @Test
    void anHttp10ClientGetsTheAnswerAndTheConnectionCloses() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("GET /down HTTP/1.0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.text()).isEqualTo("back soon\n");
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void aRequestWithABodyIsAnsweredWithoutReadingItAndTheConnectionCloses() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            c.send("PUT /old/upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            RawClient.Response r = c.read();
            assertThat(r.status()).as("no 100 Continue: the answer does not need the body").isEqualTo(302);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(env.origin().seen()).isEmpty();
    }

    @Test
    void aGatewayWhoseRoutesAllAnswerThemselvesNeedsNoUpstream() throws Exception {
        Gateway g = servers.gateway(Configs.yaml("""
                gateway:
                  io_threads: 1
                  listeners: [{name: main, address: 127.0.0.1:0}]
                  admin: {address: 127.0.0.1:0}
                  access_log: {enabled: false}
                  warmup: {enabled: false}
                  routes:
                    - {name: health, path_prefix: /, respond: {status: 200, body: "ok\\n"}}
                """));
        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            RawClient.Response r = c.send("GET /anything HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("ok\n");
            try (RawClient admin = new RawClient(g.adminAddress())) {
                assertThat(admin.send("GET /_strata/upstreams HTTP/1.1\r\nHost: a\r\n\r\n").read().text())
                        .as("the default group is not started").doesNotContain("8081");
            }
        }
    }
}
