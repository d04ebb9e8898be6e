package dev.strata.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.testing.OriginAndGateway;
import dev.strata.gateway.testing.RawClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Header-read, idle, first-byte timeouts. */
class TimeoutsTest {

    @RegisterExtension
    static final OriginAndGateway env = new OriginAndGateway("slow", """
              timeouts: {header_read: 300ms, idle: 500ms, upstream_first_byte: 300ms, total: 5s}
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
