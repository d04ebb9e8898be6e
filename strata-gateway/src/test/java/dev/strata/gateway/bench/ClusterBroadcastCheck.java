package dev.strata.gateway.bench;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.cluster.Cluster;
import dev.strata.gateway.testing.ClusterProbe;
import dev.strata.gateway.testing.Configs;
import dev.strata.redis.EmbeddedRedis;
import dev.strata.redis.RedisConfig;
import dev.strata.redis.RunningRedis;
import dev.strata.redis.testing.RedisExtension;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * How long a broadcast takes until every gateway applied and acknowledged it: a real redis-server,
 * N gateways in this JVM, one broadcast after the other from the first gateway. Prints percentiles.
 *
 * <pre>java -cp TEST_CLASSPATH dev.strata.gateway.bench.ClusterBroadcastCheck [gateways] [broadcasts]</pre>
 */
public final class ClusterBroadcastCheck {

    public static void main(String[] args) throws Exception {
        int gateways = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
        RedisConfig config = RedisExtension.embeddedConfig(Path.of("target", "redis", "broadcast-check").toAbsolutePath());
        List<Gateway> started = new ArrayList<>();
        try (RunningRedis redis = EmbeddedRedis.start(config)) {
            List<Cluster> clusters = new ArrayList<>();
            for (int i = 1; i <= gateways; i++) {
                ClusterProbe probe = new ClusterProbe();
                started.add(Gateway.start(Configs.gateway("  name: g" + i + "\n  cluster: {enabled: true, redis: '"
                        + redis.uri() + "', heartbeat: 100ms, member_ttl: 2s}\n" + ClusterProbe.ROUTES, "127.0.0.1:9"),
                        probe.types()));
                clusters.add(probe.cluster());
                probe.cluster().subscribe("purge", (payload, from) -> CompletableFuture.completedFuture(null));
            }
            Cluster first = clusters.get(0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (first.members().size() < gateways || !clusters.stream().allMatch(Cluster::connected)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the gateways did not join: " + first.members());
                }
                Thread.sleep(20);
            }
            for (int i = 0; i < count / 5; i++) {
                first.broadcast("purge", "warm", Duration.ofSeconds(10)).toCompletableFuture().get();
            }
            long[] took = new long[count];
            for (int i = 0; i < count; i++) {
                long t0 = System.nanoTime();
                Cluster.Broadcast b = first.broadcast("purge", "tag:" + i, Duration.ofSeconds(10)).toCompletableFuture().get();
                took[i] = System.nanoTime() - t0;
                if (!b.complete()) {
                    throw new IllegalStateException("incomplete: " + b);
                }
            }
            Arrays.sort(took);
            System.out.printf("%d gateways, %d broadcasts: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms%n", gateways,
                    count, ms(took, 0.50), ms(took, 0.90), ms(took, 0.99), took[count - 1] / 1e6);
        } finally {
            started.forEach(Gateway::close);
        }
    }

    private static double ms(long[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))] / 1e6;
    }
}
