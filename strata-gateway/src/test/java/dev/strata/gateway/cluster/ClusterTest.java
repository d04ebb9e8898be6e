package dev.strata.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.admin.AdminResource;
import dev.strata.gateway.filter.FilterTypes;
import dev.strata.gateway.filter.TestFilters;
import dev.strata.gateway.filter.Verdict;
import dev.strata.gateway.filter.WarmupMode;
import dev.strata.gateway.filter.builtin.BuiltInFilters;
import dev.strata.gateway.testing.Await;
import dev.strata.gateway.testing.ClusterProbe;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.Servers;
import dev.strata.redis.testing.RedisExtension;
import io.lettuce.core.ScriptOutputType;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Gateways sharing a real redis-server: membership, broadcasts with acknowledgements, losing Redis and getting it back. */
class ClusterTest {

    @RegisterExtension
    static final RedisExtension REDIS = new RedisExtension();

    @RegisterExtension
    final Servers servers = new Servers();

    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private final String namespace = "t" + NAMESPACES.incrementAndGet();
    private Origin origin;

    /** A gateway and the cluster its filters were handed. */
    record Member(Gateway gateway, Cluster cluster) {}

    /** Records what a topic's subscriber applied, and how often it was told of missed messages. */
    static final class Recorder implements Cluster.Subscriber {
        final List<String> applied = new CopyOnWriteArrayList<>();
        final AtomicInteger missed = new AtomicInteger();
        volatile CompletableFuture<Void> hold = CompletableFuture.completedFuture(null);

        @Override
        public CompletionStage<Void> apply(String payload, String from) {
            if (payload.equals("fail")) {
                return CompletableFuture.failedFuture(new IllegalStateException("cannot apply"));
            }
            return hold.thenRun(() -> applied.add(payload + " from " + from));
        }

        @Override
        public void missedMessages() {
            missed.incrementAndGet();
        }
    }

    @BeforeEach
    void origin() throws IOException {
        origin = servers.origin("o");
        REDIS.start();
    }

    private Member member(String name) {
        ClusterProbe probe = new ClusterProbe();
        Gateway g = servers.gateway(Configs.gateway("  name: " + name + "\n"
                + "  cluster: {enabled: true, redis: '" + REDIS.uri() + "', namespace: " + namespace
                + ", heartbeat: 100ms, member_ttl: 2s, reconnect_min: 20ms, reconnect_max: 200ms}\n"
                + ClusterProbe.ROUTES, origin.address()), probe.types());
        return new Member(g, probe.cluster());
    }

    private static void awaitMembers(Set<String> expected, Member... members) throws InterruptedException {
        Await.until(() -> {
            for (Member m : members) {
                if (!m.cluster().connected() || !m.cluster().members().equals(expected)) {
                    return false;
                }
            }
            return true;
        });
    }

    private static Cluster.Broadcast broadcast(Member from, String topic, String payload, Duration timeout) throws Exception {
        return from.cluster().broadcast(topic, payload, timeout).toCompletableFuture().get(30, TimeUnit.SECONDS);
    }

    @Test
    void aBroadcastIsAppliedAndAcknowledgedByBothGatewaysBeforeItCompletes() throws Exception {
        Member g1 = member("g1");
        Member g2 = member("g2");
        Recorder r1 = new Recorder();
        Recorder r2 = new Recorder();
        g1.cluster().subscribe("purge", r1);
        g2.cluster().subscribe("purge", r2);
        awaitMembers(Set.of("g1", "g2"), g1, g2);

        Cluster.Broadcast b = broadcast(g1, "purge", "tag:link-abc", Duration.ofSeconds(10));
        assertThat(b.complete()).isTrue();
        assertThat(b.live()).containsExactlyInAnyOrder("g1", "g2");
        assertThat(b.applied()).containsExactlyInAnyOrder("g1", "g2");
        assertThat(r1.applied).containsExactly("tag:link-abc from g1");
        assertThat(r2.applied).containsExactly("tag:link-abc from g1");

        // a gateway without a subscriber for a topic has nothing to apply and acknowledges at once
        assertThat(broadcast(g2, "other", "x", Duration.ofSeconds(10)).applied()).containsExactlyInAnyOrder("g1", "g2");

        // an apply that fails is reported as such, and the others still count
        Cluster.Broadcast failed = broadcast(g2, "purge", "fail", Duration.ofSeconds(10));
        assertThat(failed.complete()).isFalse();
        assertThat(failed.failed()).containsExactlyInAnyOrder("g1", "g2");
        assertThat(failed.missing()).isEmpty();

        RawClient.Response state = get(g1.gateway().adminAddress(), "/_strata/cluster");
        assertThat(state.status()).isEqualTo(200);
        assertThat(state.text()).contains("\"enabled\":true", "\"self\":\"g1\"", "\"connected\":true",
                "\"members\":[\"g1\",\"g2\"]", "\"topics\":[\"purge\"]");
        assertThat(get(g1.gateway().adminAddress(), "/_strata/metrics").text())
                .contains("strata_cluster_connected 1.0", "strata_cluster_members 2.0", "strata_cluster_broadcast_latency");
    }

    @Test
    void aGatewayWithoutHeartbeatStopsCountingOnceItExpiresAndAStoppedOneAtOnce() throws Exception {
        Member g1 = member("g1");
        Member g2 = member("g2");
        awaitMembers(Set.of("g1", "g2"), g1, g2);

        // a gateway that stopped without leaving (killed): its last heartbeat, then nothing
        g1.cluster().redis().async().eval("local t = redis.call('TIME') "
                        + "return redis.call('ZADD', KEYS[1], t[1] * 1000 + math.floor(t[2] / 1000) + 1500, 'ghost')",
                ScriptOutputType.INTEGER, new String[] {g1.cluster().key("members")}).get(5, TimeUnit.SECONDS);
        Await.until(() -> g1.cluster().members().contains("ghost"));
        Await.until(() -> !g1.cluster().members().contains("ghost"));
        Cluster.Broadcast after = broadcast(g1, "purge", "x", Duration.ofSeconds(10));
        assertThat(after.complete()).isTrue();
        assertThat(after.live()).containsExactlyInAnyOrder("g1", "g2");

        g2.gateway().close();
        awaitMembers(Set.of("g1"), g1);
        assertThat(broadcast(g1, "purge", "y", Duration.ofSeconds(10)).applied()).containsExactly("g1");
    }

    @Test
    void aLiveGatewayThatDoesNotAnswerInTimeLeavesTheBroadcastIncomplete() throws Exception {
        Member g1 = member("g1");
        Member g2 = member("g2");
        Recorder slow = new Recorder();
        slow.hold = new CompletableFuture<>();
        g1.cluster().subscribe("purge", new Recorder());
        g2.cluster().subscribe("purge", slow);
        awaitMembers(Set.of("g1", "g2"), g1, g2);

        Cluster.Broadcast b = broadcast(g1, "purge", "x", Duration.ofSeconds(2));
        assertThat(b.complete()).isFalse();
        assertThat(b.applied()).containsExactly("g1");
        assertThat(b.missing()).containsExactly("g2");
        slow.hold.complete(null);
    }

    @Test
    void losingRedisFailsBroadcastsWithinTheirTimeoutAndGettingItBackSignalsMissedMessages() throws Exception {
        Member g1 = member("g1");
        Member g2 = member("g2");
        Recorder r1 = new Recorder();
        Recorder r2 = new Recorder();
        r2.hold = new CompletableFuture<>();
        g1.cluster().subscribe("purge", r1);
        g2.cluster().subscribe("purge", r2);
        awaitMembers(Set.of("g1", "g2"), g1, g2);

        CompletableFuture<Cluster.Broadcast> inFlight =
                g1.cluster().broadcast("purge", "during", Duration.ofSeconds(2)).toCompletableFuture();
        Await.until(() -> r1.applied.contains("during from g1"));
        REDIS.kill();
        assertThatThrownBy(() -> inFlight.get(30, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(ClusterUnavailableException.class);
        Await.until(() -> !g1.cluster().connected() && !g2.cluster().connected());
        assertThatThrownBy(() -> broadcast(g1, "purge", "down", Duration.ofSeconds(2)))
                .hasCauseInstanceOf(ClusterUnavailableException.class).hasMessageContaining("not connected");
        assertThat(get(g1.gateway().listenerAddress("main"), "/any").status())
                .as("requests are served without Redis").isEqualTo(200);
        assertThat(get(g1.gateway().adminAddress(), "/_strata/cluster").text()).contains("\"connected\":false");
        r2.hold.complete(null);

        REDIS.start();
        awaitMembers(Set.of("g1", "g2"), g1, g2);
        Await.until(() -> r1.missed.get() == 1 && r2.missed.get() == 1);
        Cluster.Broadcast again = broadcast(g2, "purge", "back", Duration.ofSeconds(10));
        assertThat(again.complete()).isTrue();
        assertThat(r1.applied).contains("back from g2");
        assertThat(get(g1.gateway().adminAddress(), "/_strata/metrics").text()).contains("strata_cluster_missed_messages_total 1.0");
    }

    @Test
    void aGatewayThatStartsBeforeRedisConnectsLaterAndIsToldItMayHaveMissedMessages() throws Exception {
        REDIS.kill();
        Member g1 = member("g1");
        Recorder r1 = new Recorder();
        g1.cluster().subscribe("purge", r1);
        assertThat(get(g1.gateway().listenerAddress("main"), "/any").status()).isEqualTo(200);
        REDIS.start();
        awaitMembers(Set.of("g1"), g1);
        Await.until(() -> r1.missed.get() == 1);
        assertThat(broadcast(g1, "purge", "x", Duration.ofSeconds(10)).complete()).isTrue();
    }

    @Test
    void withoutAClusterFiltersGetNoneAndTheAdminSaysSo() throws Exception {
        Gateway g = servers.gateway(Configs.gateway("", origin.address()));
        assertThat(get(g.adminAddress(), "/_strata/cluster").text()).isEqualTo("{\"enabled\":false}");
    }

    @Test
    void aFilterCannotTakeTheClustersAdminPath() {
        FilterTypes types = BuiltInFilters.types().with(TestFilters.type("squatter", WarmupMode.OFF, build -> {
            build.admin(AdminResource.json("/_strata/cluster", request -> "{}"));
            return context -> Verdict.CONTINUE;
        }));
        assertThatThrownBy(() -> servers.gateway(Configs.gateway(
                "  routes:\n    - {name: a, path_prefix: /, filters: [{squatter: {}}]}\n", origin.address()), types))
                .hasMessageContaining("admin resource /_strata/cluster: the gateway's own");
    }

    @Test
    void topicsAndPayloadsAreBounded() {
        Member g1 = member("g1");
        assertThatThrownBy(() -> g1.cluster().broadcast("bad topic", "x", Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("topic");
        assertThatThrownBy(() -> g1.cluster().broadcast("t", "x".repeat(64 * 1024 + 1), Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("max_message");
        assertThatThrownBy(() -> g1.cluster().broadcast("t", "x", Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
    }

    private static RawClient.Response get(InetSocketAddress address, String path) throws IOException {
        try (RawClient c = new RawClient(address)) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
        }
    }
}
