package dev.strata.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.gateway.config.GatewayConfig;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.Servers;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import dev.strata.gateway.testing.Await;
import dev.strata.common.testing.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Graceful drain and hot reload. */
class LifecycleTest {

    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void drainFinishesInFlightRequestsAndClosesIdleConnections() throws Exception {
        Origin o = servers.origin("o");
        Gateway g = servers.gateway(Configs.gateway("  timeouts: {drain: 10s}\n", o.address()));
        var address = g.listenerAddress("main");
        try (RawClient busy = new RawClient(address); RawClient idle = new RawClient(address)) {
            assertThat(idle.send("GET /first HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
            busy.send("GET /sleep/800 HTTP/1.1\r\nHost: a\r\n\r\n");
            Await.until(() -> o.seen().size() == 2 || o.seen().size() == 1 && !o.seen().get(0).uri().equals("/first"));
            Thread.sleep(100); // the slow request is at the origin
            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(g::drainAndStop);
            try (RawClient admin = new RawClient(g.adminAddress())) {
                Await.until(() -> {
                    try {
                        return admin.send("GET /_strata/health HTTP/1.1\r\nHost: a\r\n\r\n").read().status() == 503;
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    }
                });
            }
            RawClient.Response r = busy.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).startsWith("o GET /sleep/800");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(idle.closedByPeer()).isTrue();
            assertThat(drained.get(15, TimeUnit.SECONDS)).isTrue();
        }
        assertThatThrownBy(() -> new Socket(address.getAddress(), address.getPort()).close()).isInstanceOf(IOException.class);
    }

    @Test
    void reloadKeepsEstablishedConnectionsAndChangesRouting(@TempDir Path dir) throws Exception {
        Origin a = servers.origin("a");
        Origin b = servers.origin("b");
        GatewayConfig first = Configs.gateway("", a.address());
        Gateway g = servers.gateway(first);
        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            assertThat(c.send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n").read().header("x-served-by")).isEqualTo("a");
            int port = Ports.free();
            GatewayConfig second = Configs.gateway("""
                      listeners: [{name: main, address: 127.0.0.1:%d}]
                      routes:
                        - {name: a, host: "*", path_prefix: /, upstream: app}
                        - {name: b, host: "*", path_prefix: /b, upstream: other}
                      upstreams:
                        app: {endpoints: [%s], health: {active: {enabled: false}}}
                        other: {endpoints: [%s], health: {active: {enabled: false}}}
                    """.formatted(port, a.address(), b.address()));
            g.reload(second);
            // the established connection survives the listener move and sees the new routes
            assertThat(c.send("GET /b/1 HTTP/1.1\r\nHost: h\r\n\r\n").read().header("x-served-by")).isEqualTo("b");
            assertThat(c.send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n").read().header("x-served-by")).isEqualTo("a");
            assertThat(g.listenerAddress("main").getPort()).isEqualTo(port);
            try (RawClient fresh = new RawClient(g.listenerAddress("main"))) {
                assertThat(fresh.send("GET /b/2 HTTP/1.1\r\nHost: h\r\n\r\n").read().header("x-served-by")).isEqualTo("b");
            }
        }
    }

    @Test
    void reloadSwitchesTheAccessLogOnAndOffAndBetweenFormats(@TempDir Path dir) throws Exception {
        Path text = dir.resolve("text.log");
        Path json = dir.resolve("json.log");
        Origin a = servers.origin("a");
        Gateway g = servers.gateway(Configs.gateway("", a.address()));
        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            c.send("GET /unlogged HTTP/1.1\r\nHost: h\r\n\r\n").read();
            g.reload(Configs.gateway("  access_log: {enabled: true, format: text, path: '" + text + "'}\n",
                    a.address()));
            c.send("GET /as-text HTTP/1.1\r\nHost: h\r\n\r\n").read();
            Await.until(() -> lineCount(text) == 1);
            g.reload(Configs.gateway("  access_log: {enabled: true, format: json, path: '" + json + "'}\n",
                    a.address()));
            c.send("GET /as-json HTTP/1.1\r\nHost: h\r\n\r\n").read();
            Await.until(() -> lineCount(json) == 1);
            g.reload(Configs.gateway("", a.address()));
            c.send("GET /unlogged-again HTTP/1.1\r\nHost: h\r\n\r\n").read();
            assertThatThrownBy(() -> g.reload(Configs.gateway(
                    "  access_log: {enabled: true, format: text, path: '" + dir.resolve("no/such/dir/x.log") + "'}\n",
                    a.address()))).isInstanceOf(IllegalArgumentException.class);
            assertThat(c.send("GET /still-served HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(200);
        }
        g.close(); // closes the access log
        assertThat(Files.readAllLines(text)).singleElement().asString().contains("\"GET /as-text HTTP/1.1\" 200 ");
        assertThat(Files.readAllLines(json)).singleElement().asString().startsWith("{").contains("\"/as-json\"");
    }

    @Test
    void reloadedHeadLimitsApplyToTheNextRequestOnAnEstablishedConnection() throws Exception {
        Origin a = servers.origin("a");
        Gateway g = servers.gateway(Configs.gateway("", a.address()));
        String bigHead = "GET /big HTTP/1.1\r\nHost: h\r\nX-Pad: " + "p".repeat(3000) + "\r\n\r\n";
        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            assertThat(c.send(bigHead).read().status()).isEqualTo(200);
            g.reload(Configs.gateway("  limits: {max_header_size: 2KiB}\n", a.address()));
            assertThat(c.send(bigHead).read().status()).isEqualTo(431);
        }
    }

    private static int lineCount(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file).size() : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    @Test
    void adminReloadReadsTheFileAgain(@TempDir Path dir) throws Exception {
        Origin a = servers.origin("a");
        Origin b = servers.origin("b");
        Path file = dir.resolve("strata.yaml");
        Gateway g = servers.gateway(file, fileConfig(1, "127.0.0.1:0", a.address()));
        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().header("x-served-by")).isEqualTo("a");
            Files.writeString(file, fileConfig(1, "127.0.0.1:0", b.address()));
            RawClient.Response sameLoops = adminReload(g);
            assertThat(sameLoops.status()).isEqualTo(200);
            assertThat(sameLoops.text()).doesNotContain("io_threads");
            assertThat(c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().header("x-served-by")).isEqualTo("b");
            // new event loops: new connections go to them, the established one stays on the old loop
            Files.writeString(file, fileConfig(3, "127.0.0.1:0", b.address()));
            RawClient.Response newLoops = adminReload(g);
            assertThat(newLoops.status()).isEqualTo(200);
            assertThat(newLoops.text()).contains("io_threads 1 -> 3");
            assertThat(g.ioThreads()).isEqualTo(3);
            assertThat(c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().header("x-served-by")).isEqualTo("b");
            try (RawClient fresh = new RawClient(g.listenerAddress("main"))) {
                for (int i = 0; i < 4; i++) {
                    assertThat(fresh.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().header("x-served-by")).isEqualTo("b");
                }
                // c, not the fresh connection, is on the replaced loop, which stays while c is open
                assertThat(g.connectionsOnRetiringLoops()).isEqualTo(1);
            }
            assertThat(c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().header("x-served-by")).isEqualTo("b");
            // a broken file is refused and the running configuration stays
            Files.writeString(file, "gateway:\n  nonsense: 1\n");
            RawClient.Response broken = adminReload(g);
            assertThat(broken.status()).isEqualTo(400);
            assertThat(broken.text()).contains("nonsense");
            assertThat(c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().header("x-served-by")).isEqualTo("b");
            c.close();
            Await.until(() -> g.retiringLoopGroups() == 0); // the old loop ends with its last connection
            // the listening sockets moved to the new loops before the old one stopped
            try (RawClient after = new RawClient(g.listenerAddress("main"))) {
                assertThat(after.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().header("x-served-by")).isEqualTo("b");
            }
            try (RawClient adm = new RawClient(g.adminAddress())) {
                assertThat(adm.send("GET /_strata/health HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(200);
            }
        }
    }

    @Test
    void aRefusedReloadKeepsTheRunningEventLoops(@TempDir Path dir) throws Exception {
        Origin a = servers.origin("a");
        ServerSocket taken = servers.closeAtEnd(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
        Path file = dir.resolve("strata.yaml");
        Gateway g = servers.gateway(file, fileConfig(1, "127.0.0.1:0", a.address()));
        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            assertThat(c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(200);
            // more loops and a listener moved to a port that is taken: the bind fails, nothing changes
            Files.writeString(file, fileConfig(2, "127.0.0.1:" + taken.getLocalPort(), a.address()));
            assertThat(adminReload(g).status()).isGreaterThanOrEqualTo(400);
            assertThat(g.ioThreads()).isEqualTo(1);
            assertThat(c.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(200);
            Await.until(() -> g.retiringLoopGroups() == 0); // the loops made for the refused reload
            try (RawClient fresh = new RawClient(g.listenerAddress("main"))) {
                assertThat(fresh.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(200);
            }
        }
    }

    @Test
    void newConnectionsAreServedWhileTheListenerMovesToNewEventLoops(@TempDir Path dir) throws Exception {
        Origin a = servers.origin("a");
        Path file = dir.resolve("strata.yaml");
        Gateway g = servers.gateway(file, fileConfig(1, "127.0.0.1:0", a.address()));
        InetSocketAddress main = g.listenerAddress("main");
        AtomicBoolean go = new AtomicBoolean(true);
        AtomicInteger served = new AtomicInteger();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        List<Thread> clients = new ArrayList<>();
        try {
            for (int t = 0; t < 4; t++) {
                clients.add(Thread.ofPlatform().daemon().start(() -> {
                    while (go.get() && failures.isEmpty()) { // a new connection for every request
                        try (RawClient c = new RawClient(main)) {
                            int status = c.send("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n").read().status();
                            if (status != 200) {
                                failures.add(new AssertionError("status " + status));
                            }
                            served.incrementAndGet();
                        } catch (IOException | RuntimeException e) {
                            failures.add(e);
                        }
                    }
                }));
            }
            for (int threads : new int[] {2, 1, 3, 1, 2}) {
                awaitServed(served, failures);
                Files.writeString(file, fileConfig(threads, "127.0.0.1:0", a.address()));
                g.reload(Gateway.load(file));
                assertThat(g.ioThreads()).isEqualTo(threads);
            }
            awaitServed(served, failures);
            go.set(false);
            for (Thread t : clients) {
                t.join();
            }
            assertThat(failures).isEmpty();
            Await.until(() -> g.retiringLoopGroups() == 0); // each replaced group stopped
        } finally {
            go.set(false);
            for (Thread t : clients) {
                t.join();
            }
        }
    }

    private static RawClient.Response adminReload(Gateway g) throws IOException {
        try (RawClient adm = new RawClient(g.adminAddress())) {
            return adm.send("POST /_strata/reload HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer t0ken\r\n"
                    + "Content-Length: 0\r\n\r\n").read();
        }
    }

    /** Waits until 200 more requests on new connections were served; fails at once with the first failure. */
    private static void awaitServed(AtomicInteger served, List<Throwable> failures) throws InterruptedException {
        int before = served.get();
        Await.until(() -> served.get() >= before + 200 || !failures.isEmpty());
        assertThat(failures).isEmpty();
    }

    /** A gateway file with one listener on {@code listener} and one upstream group of {@code endpoint}. */
    private static String fileConfig(int ioThreads, String listener, String endpoint) {
        return """
                gateway:
                  io_threads: %d
                  listeners: [{name: main, address: %s}]
                  admin: {address: 127.0.0.1:0, token: t0ken}
                  access_log: {enabled: false}
                  warmup: {enabled: false}
                  upstreams:
                    app: {endpoints: [%s], health: {active: {enabled: false}}}
                """.formatted(ioThreads, listener, endpoint);
    }
}
