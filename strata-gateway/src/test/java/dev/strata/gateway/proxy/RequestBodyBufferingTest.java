package dev.strata.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.gateway.Gateway;
import dev.strata.gateway.testing.Await;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.Servers;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Request bodies over real sockets: small ones are read whole before the request goes upstream (a slow
 * client holds no upstream connection), a body that trickles is cut off by the minimum rate, and a
 * client that goes away mid-body ends its upstream request at once.
 */
class RequestBodyBufferingTest {

    @RegisterExtension
    final Servers servers = new Servers();

    private static final String SLOW_POST = "POST /slow HTTP/1.1\r\nHost: a\r\nContent-Length: 1000\r\n\r\n";

    private static String admin(Gateway g, String path) throws Exception {
        try (RawClient c = new RawClient(g.adminAddress())) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").read().text();
        }
    }

    private static long requestsInFlight(Gateway g) throws Exception {
        for (String line : admin(g, "/_strata/metrics").split("\n")) {
            if (line.startsWith("strata_requests_in_flight ")) {
                return (long) Double.parseDouble(line.substring(line.indexOf(' ') + 1));
            }
        }
        throw new AssertionError("no strata_requests_in_flight");
    }

    private static int upstreamInFlight(Gateway g) throws Exception {
        return new ObjectMapper().readTree(admin(g, "/_strata/upstreams")).path("upstreams").path("app")
                .path("endpoints").get(0).path("in_flight").asInt();
    }

    @Test
    void aSlowPostFloodLeavesOtherClientsServed() throws Exception {
        Origin origin = servers.origin("o");
        Gateway g = servers.gateway(Configs.gateway("""
                  io_threads: 1
                  timeouts: {upstream_connect: 1s}
                  upstreams:
                    app:
                      endpoints: [%s]
                      health: {active: {enabled: false}}
                      pool: {max_per_event_loop: 2}
                """.formatted(origin.address())));
        int slow = 30;
        List<RawClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < slow; i++) {
                RawClient c = new RawClient(g.listenerAddress("main"));
                clients.add(c);
                c.send(SLOW_POST + "x"); // one byte of the thousand declared
            }
            Await.until(() -> {
                try {
                    return requestsInFlight(g) == slow;
                } catch (Exception e) {
                    return false;
                }
            });
            assertThat(upstreamInFlight(g)).as("no slow body holds an upstream connection").isZero();
            for (int i = 0; i < 5; i++) {
                try (RawClient probe = new RawClient(g.listenerAddress("main"))) {
                    RawClient.Response r = probe.send("GET /probe HTTP/1.1\r\nHost: a\r\n\r\n").read();
                    assertThat(r.status()).isEqualTo(200);
                    assertThat(r.header("x-served-by")).isEqualTo("o");
                }
            }
            // the slow bodies complete and go up whole, a few at a time through the small pool
            for (RawClient c : clients) {
                c.send("y".repeat(999));
            }
            for (RawClient c : clients) {
                RawClient.Response r = c.read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.text()).contains("POST /slow 1000 ");
            }
        } finally {
            for (RawClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void bodiesBeyondTheGatewaysBufferBudgetOrAboveBufferBodyStream() throws Exception {
        Origin origin = servers.origin("o");
        Gateway g = servers.gateway(Configs.gateway("""
                  io_threads: 1
                  limits: {buffer_body: 1000, buffered_bodies_total: 1500}
                  upstreams:
                    app: {endpoints: [%s], health: {active: {enabled: false}}}
                """.formatted(origin.address())));
        List<RawClient> clients = new ArrayList<>();
        try {
            // one of the first two fits the budget and waits whole, the other finds it spent; the third is too large
            String[] heads = {SLOW_POST, SLOW_POST, "POST /slow HTTP/1.1\r\nHost: a\r\nContent-Length: 1001\r\n\r\n"};
            for (String head : heads) {
                RawClient c = new RawClient(g.listenerAddress("main"));
                clients.add(c);
                c.send(head + "x");
            }
            Await.until(() -> {
                try {
                    return upstreamInFlight(g) == 2 && requestsInFlight(g) == 3;
                } catch (Exception e) {
                    return false;
                }
            });
            clients.get(0).send("y".repeat(999));
            clients.get(1).send("y".repeat(999));
            clients.get(2).send("y".repeat(1000));
            for (RawClient c : clients) {
                assertThat(c.read().status()).isEqualTo(200);
            }
            assertThat(origin.seen()).extracting(Origin.Seen::bodyLength).containsExactlyInAnyOrder(1000L, 1000L, 1001L);
        } finally {
            for (RawClient c : clients) {
                c.close();
            }
        }
    }

    @Test
    void aBodyThatTricklesBelowTheMinimumRateIs408() throws Exception {
        Origin origin = servers.origin("o");
        Gateway g = servers.gateway(Configs.gateway("  io_threads: 1\n"
                + "  limits: {min_body_rate: 1KiB, min_body_rate_grace: 1s}\n", origin.address()));
        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            c.send(SLOW_POST + "x");
            AtomicBoolean stop = new AtomicBoolean();
            Thread trickle = Thread.ofVirtual().start(() -> {
                try {
                    while (!stop.get()) {
                        Thread.sleep(300);
                        c.send("x");
                    }
                } catch (Exception e) {
                    // the gateway closed the connection
                }
            });
            RawClient.Response r = c.read();
            stop.set(true);
            trickle.join();
            assertThat(r.status()).isEqualTo(408);
            assertThat(r.text()).contains("slower than 1024 bytes per second");
            assertThat(r.header("connection")).isEqualTo("close");
        }
        assertThat(origin.seen()).isEmpty();
    }

    @Test
    void aBodyAtTheMinimumRateIsServed() throws Exception {
        Origin origin = servers.origin("o");
        Gateway g = servers.gateway(Configs.gateway("  io_threads: 1\n"
                + "  limits: {min_body_rate: 1KiB, min_body_rate_grace: 1s}\n", origin.address()));
        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            c.send("POST /steady HTTP/1.1\r\nHost: a\r\nContent-Length: 4000\r\n\r\n");
            for (int i = 0; i < 4; i++) {
                c.send("z".repeat(1000));
                Thread.sleep(200);
            }
            assertThat(c.read().status()).isEqualTo(200);
        }
    }

    @Test
    void aClientThatGoesAwayMidBodyEndsItsUpstreamRequestAtOnce() throws Exception {
        // an upstream that reads what it gets and notes when the gateway closes the connection
        ServerSocket upstream = servers.closeAtEnd(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        AtomicLong received = new AtomicLong();
        AtomicBoolean closed = new AtomicBoolean();
        Thread.ofVirtual().start(() -> {
            try (Socket s = upstream.accept(); InputStream in = s.getInputStream()) {
                byte[] buf = new byte[8192];
                int n;
                while ((n = in.read(buf)) >= 0) {
                    received.addAndGet(n);
                }
                closed.set(true);
            } catch (Exception e) {
                closed.set(true);
            }
        });
        Gateway g = servers.gateway(Configs.gateway("  io_threads: 1\n  timeouts: {body_read: 120s}\n",
                "127.0.0.1:" + upstream.getLocalPort()));
        InetSocketAddress address = g.listenerAddress("main");
        RawClient c = new RawClient(address);
        // larger than limits.buffer_body: it streams, so the request is upstream while the body arrives
        c.send("POST /big HTTP/1.1\r\nHost: a\r\nContent-Length: 1000000\r\n\r\n" + "b".repeat(100_000));
        Await.until(() -> received.get() >= 100_000);
        c.socket().shutdownOutput(); // the client stops sending, 900,000 bytes short
        Await.until(closed::get);
        c.close();
    }
}
