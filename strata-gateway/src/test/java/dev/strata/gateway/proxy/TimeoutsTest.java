package dev.strata.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.RawClient;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Header-read, idle, first-byte timeouts. */
class TimeoutsTest {

    static Origin origin;
    static Gateway gateway;
    static InetSocketAddress address;

    @BeforeAll
    static void start() throws Exception {
        origin = new Origin("slow");
        gateway = Gateway.start(Configs.gateway("""
                  timeouts: {header_read: 300ms, idle: 500ms, upstream_first_byte: 300ms, total: 5s}
                """, origin.address()));
        address = gateway.listenerAddress("main");
    }

    @AfterAll
    static void stop() {
        gateway.close();
        origin.close();
    }

    @Test
    void slowHeadGets408AndClose() throws Exception {
        try (RawClient c = new RawClient(address)) {
            c.send("GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ");
            RawClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void idleKeepAliveConnectionIsClosed() throws Exception {
        try (RawClient c = new RawClient(address)) {
            assertThat(c.send("GET /ok HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void upstreamFirstByteTimeoutIs504() throws Exception {
        try (RawClient c = new RawClient(address)) {
            RawClient.Response r = c.send("GET /sleep/2000 HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(504);
            assertThat(r.header("content-type")).isEqualTo("application/problem+json");
            // the client connection stays usable
            assertThat(c.send("GET /ok HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
        }
    }
}
