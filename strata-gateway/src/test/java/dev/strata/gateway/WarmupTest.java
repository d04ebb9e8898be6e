package dev.strata.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.health.Outcome;
import dev.strata.gateway.testing.Await;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.Servers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The warm-up before the listeners open: it runs the gateway's own request path against an origin
 * inside the process, so the configured endpoints, the meters and the access log see none of it.
 */
class WarmupTest {

    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void warmUpLeavesNoTraceOnEndpointsMetersOrAccessLog(@TempDir Path dir) throws Exception {
        Path accessLog = dir.resolve("access.log");
        Origin app = servers.origin("app");
        Origin api = servers.origin("api");
        Gateway g = servers.gateway(Configs.yaml("""
                gateway:
                  io_threads: 1
                  listeners: [{name: main, address: 127.0.0.1:0}]
                  admin: {address: 127.0.0.1:0}
                  access_log: {enabled: true, format: json, path: "%s"}
                  warmup: {enabled: true, max_time: 2s}
                  routes:
                    - {name: api, host: api.example.com, path_prefix: /v1, upstream: api}
                    - {name: rest, host: "*", path_prefix: /, upstream: app}
                  upstreams:
                    app:
                      endpoints: [%s]
                      health: {active: {enabled: true, path: /healthz, interval: 10s}}
                    api:
                      endpoints: [%s]
                      balance: {policy: round-robin}
                      health: {active: {enabled: false}}
                """.formatted(accessLog, app.address(), api.address())));
        assertThat(app.seen()).isEmpty();
        assertThat(api.seen()).isEmpty();
        assertThat(api.healthChecks()).isZero();
        assertThat(Files.readString(accessLog)).isEmpty();
        String metrics;
        try (RawClient admin = new RawClient(g.adminAddress())) {
            metrics = admin.send("GET /_strata/metrics HTTP/1.1\r\nHost: a\r\n\r\n").read().text();
        }
        assertThat(metrics).doesNotContain("strata_requests_total{")
                .contains("strata_request_duration_seconds_count{route=\"api\"} 0");
        // the configured endpoints' series exist from the start, and are still at zero
        assertThat(metrics.lines().filter(l -> l.startsWith("strata_upstream_requests_total{")))
                .hasSize(2 * Outcome.values().length)
                .allSatisfy(l -> assertThat(l).endsWith(" 0.0"));

        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            RawClient.Response r = c.send("GET /v1/items HTTP/1.1\r\nHost: api.example.com\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("x-served-by")).isEqualTo("api");
        }
        assertThat(api.seen()).extracting(Origin.Seen::uri).containsExactly("/v1/items");
        Await.until(() -> lines(accessLog).size() == 1);
        assertThat(lines(accessLog)).singleElement().asString().contains("\"uri\":\"/v1/items\"");
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
