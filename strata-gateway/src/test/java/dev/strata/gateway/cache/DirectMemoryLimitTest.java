package dev.strata.gateway.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.common.testing.Ports;
import dev.strata.gateway.testing.Await;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.Servers;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stores configured larger than the JVM's direct memory: a gateway in a child JVM with 128 MiB of it,
 * two routes of store_size 256 MiB each, and 1 MiB responses. Every client gets its whole response.
 */
class DirectMemoryLimitTest {

    @RegisterExtension
    final Servers servers = new Servers();

    @TempDir
    Path dir;

    @Test
    @DisplayName("storage: stores above the direct memory limit keep within it, and every response still arrives whole")
    void storesKeepWithinDirectMemory() throws Exception {
        Origin origin = servers.origin("big");
        String body = "x".repeat(1 << 20);
        for (int i = 0; i <= 100; i++) {
            for (String route : List.of("a", "b")) {
                origin.script("/" + route + "/" + i, seen -> Origin.Reply.of(200, body, "Cache-Control", "max-age=600"));
            }
        }
        int port = Ports.free();
        int adminPort = Ports.free();
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                gateway:
                  io_threads: 1
                  listeners: [{name: main, address: 127.0.0.1:%d}]
                  admin: {address: 127.0.0.1:%d}
                  access_log: {enabled: false}
                  warmup: {enabled: false}
                  routes:
                    - {name: a, path_prefix: /a/, upstream: app, filters: [{cache: {store_size: 256MiB, max_object_size: 2MiB}}]}
                    - {name: b, path_prefix: /b/, upstream: app, filters: [{cache: {store_size: 256MiB, max_object_size: 2MiB}}]}
                  upstreams:
                    app: {endpoints: [%s], health: {active: {enabled: false}}}
                """.formatted(port, adminPort, origin.address()));
        Path log = dir.resolve("gateway.log");
        Process gateway = servers.gatewayProcess(List.of(), config, log, "-Xmx64m", "-XX:MaxDirectMemorySize=128m")
                .process();
        InetSocketAddress admin = new InetSocketAddress("127.0.0.1", adminPort);
        Await.until(() -> {
            try (RawClient c = new RawClient(admin)) {
                return c.send("GET /_strata/health HTTP/1.1\r\nHost: a\r\n\r\n").read().status() == 200;
            } catch (Exception e) {
                return false;
            }
        });
        InetSocketAddress gw = new InetSocketAddress("127.0.0.1", port);
        // each store may keep 128 MiB - 64 MiB; together they would take all 128 MiB and more
        for (int i = 0; i < 100; i++) {
            for (String route : List.of("a", "b")) {
                RawClient.Response r = Http.get(gw, "/" + route + "/" + i);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.text()).as("/%s/%d arrives whole", route, i).hasSize(1 << 20);
            }
        }
        // a fill that found no memory made room in its store: within a few requests a new body is kept again
        boolean hit = false;
        for (int i = 0; i < 4 && !hit; i++) {
            hit = Http.get(gw, "/a/100").header("Cache-Status").contains("hit");
        }
        String view;
        try (RawClient c = new RawClient(admin)) {
            view = c.send("GET /_strata/cache HTTP/1.1\r\nHost: a\r\n\r\n").read().text();
        }
        assertThat(hit).as("the store takes new bodies again: %s", view).isTrue();
        assertThat(gateway.isAlive()).isTrue();
        assertThat(Files.readString(log)).contains("store_size 268435456 bytes is more than the JVM's direct memory");
    }
}
