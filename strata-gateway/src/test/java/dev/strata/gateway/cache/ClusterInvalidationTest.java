package dev.strata.gateway.cache;

import static dev.strata.gateway.cache.Http.call;
import static dev.strata.gateway.cache.Http.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.testing.Await;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.Servers;
import dev.strata.redis.testing.RedisExtension;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An origin's invalidation with two gateways on a real redis-server: the answer to the PUT is held until
 * every live gateway applied the purge, the purge's position fences the tag on the other gateway too, and a
 * gateway that never acknowledges delays the answer only until {@code invalidation_timeout}, counted.
 */
class ClusterInvalidationTest {

    @RegisterExtension
    static final RedisExtension REDIS = new RedisExtension();

    @RegisterExtension
    final Servers servers = new Servers();

    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private final String namespace = "invalidate" + NAMESPACES.incrementAndGet();
    private Origin origin;
    /** What a lagging replica answers: the old URL, read at 0/100, until it catches up. */
    private final AtomicReference<String[]> replica = new AtomicReference<>(new String[] {"https://example.org/old", "0/100"});

    @BeforeEach
    void start() throws IOException {
        REDIS.start();
        origin = servers.origin("o");
        origin.script("/Ab3", seen -> Origin.Reply.of(302, "", "Location", replica.get()[0],
                "Cache-Control", "public, max-age=600", "Surrogate-Key", "link-Ab3",
                "Strata-Data-Position", replica.get()[1]));
        origin.script("/api/links/Ab3", seen -> Origin.Reply.of(200, "{}", "Cache-Control", "no-store",
                "Strata-Invalidate-Tags", "link-Ab3", "Strata-Data-Position", "0/200"));
    }

    private Gateway gateway(String name) {
        return servers.gateway(Configs.gateway("  name: " + name + "\n"
                + "  admin: {address: 127.0.0.1:0, token: tok}\n"
                + "  cluster: {enabled: true, redis: '" + REDIS.uri() + "', namespace: " + namespace
                + ", heartbeat: 100ms, member_ttl: 2s, reconnect_min: 20ms, reconnect_max: 200ms}\n"
                + "  routes:\n    - {name: cached, path_prefix: /, upstream: app, filters: [{cache: {"
                + "invalidation_timeout: 700ms, positions: {header: Strata-Data-Position}}}]}\n",
                origin.address()));
    }

    private static String admin(Gateway g, String path) {
        try (RawClient c = new RawClient(g.adminAddress())) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n").read().text();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean hit(RawClient.Response r) {
        return r.header("Cache-Status") != null && r.header("Cache-Status").contains("; hit");
    }

    @Test
    @DisplayName("once the PUT's answer is back, neither gateway serves the old answer, nor stores one read before the write")
    void thePutsAnswerWaitsForEveryGatewayAndItsFenceReachesThem() throws Exception {
        Gateway g1 = gateway("g1");
        Gateway g2 = gateway("g2");
        Await.until(() -> admin(g1, "/_strata/cluster").contains("\"g2\"") && admin(g2, "/_strata/cluster").contains("\"g1\""));
        InetSocketAddress a1 = g1.listenerAddress("main");
        InetSocketAddress a2 = g2.listenerAddress("main");
        get(a1, "/Ab3");
        get(a2, "/Ab3");
        assertThat(hit(get(a2, "/Ab3"))).isTrue();

        for (int i = 0; i < 20; i++) {
            assertThat(call(a1, "PUT", "/api/links/Ab3").status()).isEqualTo(200);
            // the answer came back: g2 has purged already (no race with the broadcast), and fences the tag
            assertThat(get(a2, "/Ab3", "Cache-Control", "only-if-cached").status()).as("round " + i).isEqualTo(504);
            RawClient.Response lagging = get(a2, "/Ab3");
            assertThat(lagging.header("Location")).isEqualTo("https://example.org/old");
            assertThat(get(a2, "/Ab3", "Cache-Control", "only-if-cached").status()).as("fenced on g2").isEqualTo(504);
            get(a2, "/Ab3");
        }
        assertThat(admin(g1, "/_strata/metrics")).contains("strata_cache_invalidations_unacknowledged_total 0.0");

        replica.set(new String[] {"https://example.org/new", "0/200"});
        assertThat(get(a2, "/Ab3").header("Location")).isEqualTo("https://example.org/new");
        assertThat(get(a2, "/Ab3", "Cache-Control", "only-if-cached").header("Location")).isEqualTo("https://example.org/new");
    }

    @Test
    @DisplayName("a live gateway that never acknowledges holds the answer until invalidation_timeout; it is counted")
    void aGatewayThatNeverAcknowledgesDelaysTheAnswerOnlyUntilTheTimeout() throws Exception {
        Gateway g1 = gateway("g1");
        Await.until(() -> admin(g1, "/_strata/cluster").contains("\"connected\":true"));
        RedisClient client = RedisClient.create(REDIS.uri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().zadd(namespace + ":members", 9e15, "ghost"); // a member that never answers
            Await.until(() -> admin(g1, "/_strata/cluster").contains("\"ghost\""));
            long start = System.nanoTime();
            RawClient.Response put = call(g1.listenerAddress("main"), "PUT", "/api/links/Ab3");
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(put.status()).as("answered anyway").isEqualTo(200);
            assertThat(tookMillis).as("held for the acknowledgements").isGreaterThanOrEqualTo(700);
            assertThat(admin(g1, "/_strata/metrics")).contains("strata_cache_invalidations_unacknowledged_total 1.0");
            c.sync().zrem(namespace + ":members", "ghost");
        } finally {
            client.shutdown();
        }
    }
}
