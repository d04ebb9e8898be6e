package dev.strata.gateway.cache;

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
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Two gateways sharing a real redis-server: a purge sent to either reaches both before it is answered. */
class ClusterPurgeTest {

    @RegisterExtension
    static final RedisExtension REDIS = new RedisExtension();

    @RegisterExtension
    final Servers servers = new Servers();

    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private final String namespace = "purge" + NAMESPACES.incrementAndGet();
    private Origin origin;

    @BeforeEach
    void start() throws IOException {
        REDIS.start();
        origin = servers.origin("o");
        AtomicInteger v = new AtomicInteger();
        origin.script("/tagged", seen -> Origin.Reply.of(200, "v" + v.incrementAndGet(),
                "Cache-Control", "max-age=600", "Surrogate-Key", "link-abc"));
    }

    private Gateway gateway(String name) {
        return gateway(name, "");
    }

    private Gateway gateway(String name, String clusterKeys) {
        return servers.gateway(Configs.gateway("  name: " + name + "\n"
                + "  admin: {address: 127.0.0.1:0, token: tok}\n"
                + "  cluster: {enabled: true, redis: '" + REDIS.uri() + "', namespace: " + namespace
                + ", heartbeat: 100ms, member_ttl: 2s, reconnect_min: 20ms, reconnect_max: 200ms" + clusterKeys + "}\n"
                + "  routes:\n    - {name: cached, path_prefix: /, upstream: app, filters: [{cache: {}}]}\n",
                origin.address()));
    }

    private static boolean hit(RawClient.Response r) {
        return r.header("Cache-Status") != null && r.header("Cache-Status").contains("; hit");
    }

    private static RawClient.Response purge(Gateway g, String json) throws IOException {
        try (RawClient c = new RawClient(g.adminAddress())) {
            return c.send("POST /_strata/purge HTTP/1.1\r\nHost: admin\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer tok\r\nContent-Length: " + json.length() + "\r\nConnection: close\r\n\r\n"
                    + json).read();
        }
    }

    private static String membersOf(Gateway g) {
        try (RawClient c = new RawClient(g.adminAddress())) {
            return c.send("GET /_strata/cluster HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n").read().text();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean hitAt(InetSocketAddress at, String path) {
        try {
            return hit(get(at, path));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    @DisplayName("purge by tag through one gateway is applied by both, and answered only after both applied it")
    void aPurgeReachesEveryGatewayBeforeItIsAnswered() throws Exception {
        Gateway g1 = gateway("g1");
        Gateway g2 = gateway("g2");
        Await.until(() -> membersOf(g1).contains("\"g2\"") && membersOf(g2).contains("\"g1\""));
        InetSocketAddress a1 = g1.listenerAddress("main");
        InetSocketAddress a2 = g2.listenerAddress("main");
        get(a1, "/tagged");
        get(a2, "/tagged");
        assertThat(hit(get(a1, "/tagged"))).isTrue();
        assertThat(hit(get(a2, "/tagged"))).isTrue();
        long before = origin.seen("/tagged");

        RawClient.Response r = purge(g1, "{\"tags\": [\"link-abc\"]}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.text()).contains("\"gateways\":{\"live\":2,\"applied\":2,\"missing\":[]");

        RawClient.Response after2 = get(a2, "/tagged");
        assertThat(hit(after2)).as("the other gateway dropped it before the purge was answered").isFalse();
        assertThat(hit(get(a1, "/tagged"))).isFalse();
        assertThat(origin.seen("/tagged")).isEqualTo(before + 2);
    }

    @Test
    @DisplayName("a purge that a live gateway does not acknowledge within cluster.ack_timeout is 504 naming it")
    void aPurgeNotAcknowledgedInTimeIs504NamingTheMissingGateway() throws Exception {
        Gateway g1 = gateway("g1", ", ack_timeout: 300ms");
        Await.until(() -> membersOf(g1).contains("\"connected\":true"));
        // a member that heartbeats (its entry does not expire) but never acknowledges
        RedisClient client = RedisClient.create(REDIS.uri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().eval("local t = redis.call('TIME') "
                    + "return redis.call('ZADD', KEYS[1], tonumber(t[1]) * 1000 + 600000, 'silent')",
                    ScriptOutputType.INTEGER, namespace + ":members");
        } finally {
            client.shutdown();
        }
        Await.until(() -> membersOf(g1).contains("\"silent\""));

        RawClient.Response r = purge(g1, "{\"tags\": [\"link-abc\"]}");
        assertThat(r.status()).as(r.text()).isEqualTo(504);
        assertThat(r.text()).contains("\"gateways\":{\"live\":2,\"applied\":1,\"missing\":[\"silent\"]");
    }

    @Test
    @DisplayName("a gateway cut off from Redis validates what it holds when it is back (it may have missed purges)")
    void aGatewayBackFromACutValidatesWhatItHolds() throws Exception {
        Gateway g1 = gateway("g1");
        Await.until(() -> membersOf(g1).contains("\"connected\":true"));
        InetSocketAddress a1 = g1.listenerAddress("main");
        get(a1, "/tagged");
        assertThat(hit(get(a1, "/tagged"))).isTrue();
        REDIS.kill();
        Await.until(() -> membersOf(g1).contains("\"connected\":false"));
        REDIS.start();
        Await.until(() -> membersOf(g1).contains("\"connected\":true"));
        Await.until(() -> !hitAt(a1, "/tagged"));
    }
}
