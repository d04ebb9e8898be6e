package dev.strata.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.common.process.ChildSignals;
import dev.strata.common.testing.Ports;
import dev.strata.gateway.testing.Await;
import dev.strata.gateway.testing.GatewayProcess;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.Servers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@link Gateway#run} as a process: SIGHUP reloads the file, SIGTERM drains and exits. */
class ProcessSignalsTest {

    private static final String CONFIG = """
            gateway:
              io_threads: 1
              listeners: [{name: main, address: 127.0.0.1:%d}]
              admin: {address: 127.0.0.1:%d, token: t0ken}
              access_log: {enabled: false}
              warmup: {max_time: 2s}
              timeouts: {drain: 10s}
              upstreams:
                app: {endpoints: [%s], health: {active: {enabled: false}}}
            """;

    /** The origins and the gateway process of each test, stopped after it (the process: SIGTERM, then SIGKILL). */
    @RegisterExtension
    final Servers servers = new Servers();

    @TempDir
    Path dir;
    /** The gateway's first endpoint, and the one a reload points it at. */
    Origin a;
    Origin b;
    /** The gateway's file, written to point at {@link #a}. */
    Setup gateway;
    /** Where the gateway process writes its output. */
    Path log;

    @BeforeEach
    void startOriginsAndWriteTheFile() throws IOException {
        a = servers.origin("a");
        b = servers.origin("b");
        gateway = Setup.in(dir);
        gateway.pointAt(a);
        log = dir.resolve("gateway.log");
    }

    @Test
    void sighupReloadsAndSigtermDrains() throws Exception {
        GatewayProcess child = start();
        Process p = child.process();
        InetSocketAddress address = gateway.address();
        Await.until(() -> served(address, "/x").equals("a"));
        try (RawClient kept = new RawClient(address)) {
            assertThat(kept.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().header("x-served-by")).isEqualTo("a");
            gateway.pointAt(b);
            child.hup();
            Await.until(() -> served(address, "/y").equals("b"));
            // the connection opened before the reload is still served, by the new upstream
            assertThat(kept.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().header("x-served-by")).isEqualTo("b");

            kept.send("GET /sleep/500 HTTP/1.1\r\nHost: h\r\n\r\n");
            Await.until(() -> b.seen().stream().anyMatch(s -> s.uri().equals("/sleep/500")));
            p.destroy(); // SIGTERM: graceful drain
            RawClient.Response last = kept.read();
            assertThat(last.status()).isEqualTo(200);
            assertThat(last.header("connection")).isEqualTo("close");
        }
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(log)).contains("SIGHUP").contains("draining");
    }

    @Test
    void sighupDuringTheStartIsServedOnceTheGatewayRuns() throws Exception {
        GatewayProcess child = start();
        Process p = child.process();
        // the file is read, the listeners are not open yet
        Await.until(() -> contains(log, "warming up"));
        gateway.pointAt(b);
        child.hup();

        InetSocketAddress address = gateway.address();
        Await.until(() -> served(address, "/after").equals("b"));
        assertThat(p.isAlive()).isTrue();
        p.destroy();
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(log)).contains("SIGHUP");
    }

    @Test
    void aSighupIgnoredByTheParentIsReportedAtTheStart() throws Exception {
        assumeTrue(ChildSignals.settable(), "env cannot set a child's signal dispositions here");
        GatewayProcess child = start(ChildSignals.ignored("HUP")); // as under nohup
        InetSocketAddress address = gateway.address();
        Await.until(() -> served(address, "/x").equals("a"));
        assertThat(Files.readString(log)).contains("SIGHUP is ignored in this process")
                .contains("POST /_strata/reload");
        // the handler never runs: the process lives on, and the reload the warning names works
        gateway.pointAt(b);
        child.hup();
        try (RawClient admin = new RawClient(gateway.admin())) {
            assertThat(admin.send("POST /_strata/reload HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer t0ken\r\n"
                    + "Content-Length: 0\r\n\r\n")
                    .read().status()).isEqualTo(200);
        }
        assertThat(served(address, "/y")).isEqualTo("b");
        assertThat(child.process().isAlive()).isTrue();
        assertThat(Files.readString(log)).doesNotContain("SIGHUP:");
    }

    /** The gateway's file and ports, picked once; {@link #pointAt} (re)writes the file with one endpoint. */
    private record Setup(Path config, int port, int adminPort) {
        static Setup in(Path dir) throws IOException {
            return new Setup(dir.resolve("gateway.yaml"), Ports.free(), Ports.free());
        }

        void pointAt(Origin origin) throws IOException {
            Files.writeString(config, CONFIG.formatted(port, adminPort, origin.address()));
        }

        InetSocketAddress address() {
            return new InetSocketAddress("127.0.0.1", port);
        }

        InetSocketAddress admin() {
            return new InetSocketAddress("127.0.0.1", adminPort);
        }
    }

    /**
     * The gateway as a child process on its file, its output going to {@link #log}, with SIGHUP at its
     * default action: a runner started under nohup would otherwise hand its own ignore down.
     */
    private GatewayProcess start() throws IOException {
        return start(ChildSignals.atDefault("HUP"));
    }

    private GatewayProcess start(List<String> signals) throws IOException {
        return servers.gatewayProcess(signals, gateway.config(), log, "-Xmx64m");
    }

    private static boolean contains(Path file, String text) {
        try {
            return Files.readString(file).contains(text);
        } catch (IOException e) {
            return false;
        }
    }

    private static String served(InetSocketAddress address, String path) {
        try (RawClient c = new RawClient(address)) {
            String by = c.send("GET " + path + " HTTP/1.1\r\nHost: h\r\n\r\n").read().header("x-served-by");
            return by == null ? "" : by;
        } catch (Exception e) {
            return "";
        }
    }
}
