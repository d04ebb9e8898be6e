package dev.strata.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.testing.Await;
import dev.strata.gateway.testing.GatewayMain;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.RawClient;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Gateway#run} as a process: SIGHUP reloads the file, SIGTERM drains and exits. */
class ProcessSignalsTest {

    @Test
    void sighupReloadsAndSigtermDrains(@TempDir Path dir) throws Exception {
        try (Origin a = new Origin("a"); Origin b = new Origin("b")) {
            int port = LifecycleTest.freePort();
            int adminPort = LifecycleTest.freePort();
            Path config = dir.resolve("gateway.yaml");
            String template = """
                    gateway:
                      io_threads: 1
                      listeners: [{name: main, address: 127.0.0.1:%d}]
                      admin: {address: 127.0.0.1:%d}
                      access_log: {enabled: false}
                      warmup: {max_time: 2s}
                      timeouts: {drain: 10s}
                      upstreams:
                        app: {endpoints: [%s], health: {active: {enabled: false}}}
                    """;
            Files.writeString(config, template.formatted(port, adminPort, a.address()));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                    GatewayMain.class.getName(), config.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("gateway.log").toFile()).start();
            try {
                InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
                Await.until(() -> served(address, "/x").equals("a"));
                try (RawClient kept = new RawClient(address)) {
                    assertThat(kept.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().header("x-served-by")).isEqualTo("a");
                    Files.writeString(config, template.formatted(port, adminPort, b.address()));
                    new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor();
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
            } finally {
                p.destroyForcibly();
            }
            assertThat(Files.readString(dir.resolve("gateway.log"))).contains("SIGHUP").contains("draining");
        }
    }

    @Test
    void sighupDuringTheStartIsServedOnceTheGatewayRuns(@TempDir Path dir) throws Exception {
        try (Origin a = new Origin("a"); Origin b = new Origin("b")) {
            int port = LifecycleTest.freePort();
            int adminPort = LifecycleTest.freePort();
            Path config = dir.resolve("gateway.yaml");
            String template = """
                    gateway:
                      io_threads: 1
                      listeners: [{name: main, address: 127.0.0.1:%d}]
                      admin: {address: 127.0.0.1:%d}
                      access_log: {enabled: false}
                      warmup: {max_time: 3s}
                      upstreams:
                        app: {endpoints: [%s], health: {active: {enabled: false}}}
                    """;
            Files.writeString(config, template.formatted(port, adminPort, a.address()));
            Path log = dir.resolve("gateway.log");
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process p = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                    GatewayMain.class.getName(), config.toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            try {
                // the file is read, the listeners are not open yet
                Await.until(() -> contains(log, "warming up"));
                Files.writeString(config, template.formatted(port, adminPort, b.address()));
                new ProcessBuilder("kill", "-HUP", Long.toString(p.pid())).start().waitFor();

                InetSocketAddress address = new InetSocketAddress("127.0.0.1", port);
                Await.until(() -> served(address, "/after").equals("b"));
                assertThat(p.isAlive()).isTrue();
                p.destroy();
                assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
            } finally {
                p.destroyForcibly();
            }
            assertThat(Files.readString(log)).contains("SIGHUP");
        }
    }

    private static boolean contains(Path file, String text) {
        try {
            return Files.readString(file).contains(text);
        } catch (java.io.IOException e) {
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
