package dev.strata.gateway.cluster;

import dev.strata.common.config.ByteSize;
import dev.strata.common.config.Units;
import java.net.URI;
import java.time.Duration;

/**
 * The {@code gateway.cluster} section: whether this gateway shares state with others through Redis.
 * Off by default; a single gateway needs no Redis.
 *
 * @param enabled          join the cluster
 * @param redis            the Redis server, {@code redis://host:port} (optionally {@code /db})
 * @param namespace        prefix of every key and channel, so several clusters can share one Redis
 * @param connectTimeout   one connection attempt
 * @param commandTimeout   one command (a heartbeat, a publish, a script)
 * @param reconnectMin     first pause after a lost connection; it doubles on every failed attempt
 * @param reconnectMax     ... up to this
 * @param heartbeat        how often this gateway renews its membership
 * @param memberTtl        a gateway whose last heartbeat is older (by Redis's clock) is no longer live
 * @param maxMessage       the largest broadcast payload sent or accepted
 * @param ackTimeout       how long a broadcast of the gateway's features (a purge) waits for every live
 *                         gateway's acknowledgement before it completes with those missing
 */
public record ClusterConfig(boolean enabled, String redis, String namespace, Duration connectTimeout,
                            Duration commandTimeout, Duration reconnectMin, Duration reconnectMax, Duration heartbeat,
                            Duration memberTtl, ByteSize maxMessage, Duration ackTimeout) {

    public ClusterConfig {
        if (redis == null || redis.isBlank()) {
            throw new IllegalArgumentException("cluster.redis: '' (expected: redis://host:port)");
        }
        URI uri;
        try {
            uri = URI.create(redis);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cluster.redis: '" + redis + "' (expected: redis://host:port)");
        }
        if (!"redis".equals(uri.getScheme()) || uri.getHost() == null || uri.getPort() <= 0) {
            throw new IllegalArgumentException("cluster.redis: '" + redis + "' (expected: redis://host:port)");
        }
        if (namespace == null || !namespace.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("cluster.namespace: '" + namespace + "' (expected: 1-64 of A-Z a-z 0-9 _ . -)");
        }
        positive(connectTimeout, "connect_timeout");
        positive(commandTimeout, "command_timeout");
        positive(reconnectMin, "reconnect_min");
        positive(reconnectMax, "reconnect_max");
        positive(heartbeat, "heartbeat");
        positive(memberTtl, "member_ttl");
        positive(ackTimeout, "ack_timeout");
        if (reconnectMax.compareTo(reconnectMin) < 0) {
            throw new IllegalArgumentException("cluster.reconnect_max: " + Units.show(reconnectMax) + " (expected: >= reconnect_min)");
        }
        if (memberTtl.compareTo(heartbeat.multipliedBy(2)) < 0) {
            throw new IllegalArgumentException("cluster.member_ttl: " + Units.show(memberTtl)
                    + " (expected: at least twice the heartbeat, so one late heartbeat does not drop a live gateway)");
        }
        if (maxMessage == null || maxMessage.bytes() < 1 || maxMessage.bytes() > 16 * 1024 * 1024) {
            throw new IllegalArgumentException("cluster.max_message: " + maxMessage + " (expected: 1..16MiB)");
        }
    }

    private static void positive(Duration d, String name) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("cluster." + name + ": " + Units.show(d) + " (expected: > 0)");
        }
    }
}
