package dev.strata.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.testing.OriginAndGateway;
import dev.strata.gateway.testing.RawClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Header-read, body-read, idle, first-byte timeouts. */
class TimeoutsTest {

    @RegisterExtension
    static final OriginAndGateway env = new OriginAndGateway("slow", """
              timeouts: {header_read: 300ms, body_read: 1s, idle: 500ms, upstream_first_byte: 300ms, total: 5s}
            """);

    @Test
    void slowHeadGets408AndClose() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            c.send("GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ");
            RawClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void aStalledRequestBodyGets408AndCloseAndNeverReachesTheOriginWhole() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            c.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
            RawClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(r.header("content-type")).isEqualTo("application/problem+json");
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(env.origin().seen()).noneMatch(s -> s.bodyLength() == 10);
    }

    @Test
    void aSlowButSteadyRequestBodyIsForwarded() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            c.send("POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 15\r\n\r\n");
            for (int i = 0; i < 15; i++) {
                Thread.sleep(100); // each gap a tenth of body_read; the whole body takes longer than it
                c.send("x");
            }
            assertThat(c.read().status()).isEqualTo(200);
        }
        assertThat(env.origin().seen()).anyMatch(s -> s.bodyLength() == 15);
    }

    @Test
    void idleKeepAliveConnectionIsClosed() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            assertThat(c.send("GET /ok HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void upstreamFirstByteTimeoutIs504() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("GET /sleep/2000 HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(504);
            assertThat(r.header("content-type")).isEqualTo("application/problem+json");
            // the client connection stays usable
            assertThat(c.send("GET /ok HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
        }
    }
}
