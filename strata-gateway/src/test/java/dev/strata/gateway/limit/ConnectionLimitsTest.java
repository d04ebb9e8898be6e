package dev.strata.gateway.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.testing.Await;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.Servers;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The connection-level defence: open and new connections per client address, requests per connection.
 * Over sockets the test's address is loopback, a trusted proxy by default, so those gateways trust no proxy.
 */
class ConnectionLimitsTest {

    private static final String REQUEST = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";

    @RegisterExtension
    final Servers servers = new Servers();

    private Gateway gateway(String limits) throws Exception {
        Origin origin = servers.origin("o");
        return servers.gateway(Configs.gateway("  forwarding: {trusted_proxies: []}\n  limits: {" + limits + "}\n",
                origin.address()));
    }

    @Test
    void connectionsFromOneAddressBeyondTheLimitAreClosedAtAcceptAndTheSlotComesBack() throws Exception {
        Gateway g = gateway("max_connections_per_address: 2");
        InetSocketAddress at = g.listenerAddress("main");
        try (RawClient a = new RawClient(at); RawClient b = new RawClient(at)) {
            assertThat(a.send(REQUEST).read().status()).isEqualTo(200);
            assertThat(b.send(REQUEST).read().status()).isEqualTo(200);
            try (RawClient c = new RawClient(at)) {
                assertThat(c.closedByPeer()).isTrue();
            }
            assertThat(a.send(REQUEST).read().status()).as("the two open ones are still served").isEqualTo(200);
        }
        Await.until(() -> {
            try (RawClient d = new RawClient(at)) {
                return d.send(REQUEST).read().status() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        assertThat(admin(g)).contains("strata_ratelimit_connections_refused_total{limit=\"per_address\"} 1.0");
    }

    @Test
    void theLastRequestAConnectionMayCarrySaysConnectionCloseAndTheConnectionCloses() throws Exception {
        Gateway g = gateway("max_requests_per_connection: 3");
        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            assertThat(c.send(REQUEST).read().header("connection")).isNull();
            assertThat(c.send(REQUEST).read().header("connection")).isNull();
            RawClient.Response third = c.send(REQUEST).read();
            assertThat(third.status()).isEqualTo(200);
            assertThat(third.header("connection")).isEqualTo("close");
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void newConnectionsAboveTheRateFromOneAddressAreClosedAtAccept() throws Exception {
        AtomicLong clock = new AtomicLong();
        ConnectionLimits limits = new ConnectionLimits(new SimpleMeterRegistry(), clock::get);
        InetAddress a = InetAddress.getByName("192.0.2.1");
        InetAddress b = InetAddress.getByName("192.0.2.2");
        for (int i = 0; i < 5; i++) {
            assertThat(limits.admit(a, 0, 5, x -> false)).isNotNull();
        }
        assertThat(limits.admit(a, 0, 5, x -> false)).as("a sixth within the second").isNull();
        assertThat(limits.admit(b, 0, 5, x -> false)).as("another address").isNotNull();
        assertThat(limits.admit(a, 0, 5, x -> x.equals(a))).as("exempt").isNotNull();
        clock.addAndGet(200_000_000L);
        assertThat(limits.admit(a, 0, 5, x -> false)).as("one more every 200 ms").isNotNull();
        assertThat(limits.admit(a, 0, 5, x -> false)).isNull();
    }

    @Test
    void anAddressWithNoOpenConnectionIsForgotten() throws Exception {
        ConnectionLimits limits = new ConnectionLimits(new SimpleMeterRegistry());
        InetAddress a = InetAddress.getByName("192.0.2.1");
        ConnectionLimits.Lease one = limits.admit(a, 1, 0, x -> false);
        assertThat(limits.admit(a, 1, 0, x -> false)).isNull();
        assertThat(limits.addresses()).isEqualTo(1);
        one.release();
        assertThat(limits.addresses()).isZero();
        assertThat(limits.admit(a, 1, 0, x -> false)).isNotNull();
    }

    @Test
    void overSocketsTheNewConnectionRateClosesTheExcessAtAccept() throws Exception {
        Gateway g = gateway("max_new_connections_per_address: 2");
        InetSocketAddress at = g.listenerAddress("main");
        int closed = 0;
        for (int i = 0; i < 10; i++) {
            try (RawClient c = new RawClient(at)) {
                c.send(REQUEST);
                if (c.closedByPeer()) {
                    closed++;
                }
            }
        }
        assertThat(closed).as("ten connections at once: beyond the burst of two, most are closed").isPositive();
        assertThat(admin(g)).contains("strata_ratelimit_connections_refused_total{limit=\"new_per_second\"}");
    }

    private static String admin(Gateway g) throws Exception {
        return RateLimitFilterTest.call(g.adminAddress(), "GET /_strata/metrics HTTP/1.1\r\nHost: a\r\n\r\n").text();
    }
}
