package dev.strata.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.Servers;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Many keep-alive clients at once, mixing bodiless and body requests: every answer is the right one. */
class ConcurrencyTest {

    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void concurrentClientsGetTheirOwnAnswers() throws Exception {
        Origin a = servers.origin("a");
        Origin b = servers.origin("b");
        Gateway g = servers.gateway(Configs.gateway("  upstreams:\n    app: {endpoints: [" + a.address() + ", "
                + b.address() + "], health: {active: {enabled: false}}, pool: {max_per_event_loop: 4}}\n"));
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                int client = t;
                results.add(pool.submit(() -> {
                    int ok = 0;
                    try (RawClient c = new RawClient(g.listenerAddress("main"))) {
                        for (int i = 0; i < 40; i++) {
                            String body = "client " + client + " request " + i;
                            RawClient.Response r;
                            if (i % 3 == 0) {
                                r = c.send("GET /c/" + client + "/" + i + " HTTP/1.1\r\nHost: h\r\n\r\n").read();
                                if (r.status() == 200 && r.text().endsWith("GET /c/" + client + "/" + i + " 0 0")) {
                                    ok++;
                                }
                                continue;
                            }
                            String framed = i % 3 == 1
                                    ? "Content-Length: " + body.length() + "\r\n\r\n" + body
                                    : "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
                            r = c.send("POST /c/" + client + "/" + i + " HTTP/1.1\r\nHost: h\r\n" + framed).read();
                            if (r.status() == 200 && r.text().endsWith("POST /c/" + client + "/" + i + " " + body.length() + " " + crc(body))) {
                                ok++;
                            }
                        }
                    }
                    return ok;
                }));
            }
            int total = 0;
            for (Future<Integer> f : results) {
                total += f.get(60, TimeUnit.SECONDS);
            }
            assertThat(total).isEqualTo(16 * 40);
            for (String id : List.of(a.address(), b.address())) {
                assertThat(FailoverTest.inFlight(g, id)).isZero();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    static long crc(String s) {
        CRC32 c = new CRC32();
        c.update(s.getBytes(StandardCharsets.UTF_8));
        return c.getValue();
    }
}
