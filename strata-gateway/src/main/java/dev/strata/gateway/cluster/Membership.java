package dev.strata.gateway.cluster;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Which gateways are live, as of this gateway's last heartbeat.
 *
 * <p>Design notes: membership lives in one sorted set, {@code <namespace>:members}, member to expiry in
 * Redis's clock (the script reads {@code TIME}, so clock skew between gateways does not matter). A
 * heartbeat adds this gateway with now + {@code member_ttl} and drops expired members; the live set is
 * what remains. A broadcast reads the same set with the same script, adding nobody.
 *
 * <p>Threading: the results arrive on Lettuce's thread; what they leave is volatile.
 */
final class Membership {

    private static final String HEARTBEAT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            if ARGV[1] ~= '' then
              redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
              redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 4)
            end
            return redis.call('ZRANGE', KEYS[1], 0, -1)
            """;

    private final RedisCluster cluster;
    private final String key;
    private final String self;
    private final String ttlMillis;
    private volatile Set<String> members = Set.of();
    private volatile long lastHeartbeatNanos;

    Membership(RedisCluster cluster, ClusterConfig config, String self) {
        this.cluster = cluster;
        this.key = config.namespace() + ":members";
        this.self = self;
        this.ttlMillis = Long.toString(config.memberTtl().toMillis());
    }

    /** Renews this gateway's membership on {@code c} and learns the live set. */
    void heartbeat(StatefulRedisConnection<String, String> c) {
        c.async().<List<String>>eval(HEARTBEAT, ScriptOutputType.MULTI, new String[] {key}, self, ttlMillis)
                .whenComplete((live, e) -> {
                    if (e != null) {
                        cluster.failed(e);
                        return;
                    }
                    members = Set.copyOf(live);
                    lastHeartbeatNanos = System.nanoTime();
                });
    }

    /** The live gateways now, read on {@code c} without renewing anyone. */
    CompletionStage<List<String>> live(StatefulRedisConnection<String, String> c) {
        return c.async().<List<String>>eval(HEARTBEAT, ScriptOutputType.MULTI, new String[] {key}, "", "0");
    }

    /** Takes this gateway out of the set at once (it is stopping), waiting at most {@code timeout}. */
    void leave(StatefulRedisConnection<String, String> c, Duration timeout) throws Exception {
        c.async().zrem(key, self).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    Set<String> members() {
        return members;
    }

    /** {@link System#nanoTime} of the last heartbeat that answered, or 0. */
    long lastHeartbeatNanos() {
        return lastHeartbeatNanos;
    }
}
