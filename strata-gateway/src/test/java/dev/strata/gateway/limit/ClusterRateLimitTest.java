package dev.strata.gateway.limit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.filter.builtin.BuiltInFilters;
import dev.strata.gateway.testing.Await;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.Servers;
import dev.strata.redis.testing.RedisExtension;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The cluster store on a real redis-server: gateways share one limit, and a dead Redis gets the fail mode. */
class ClusterRateLimitTest {

    @RegisterExtension
    static final RedisExtension REDIS = new RedisExtension();

    @RegisterExtension
    final Servers servers = new Servers();

    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private final String namespace = "rl" + NAMESPACES.incrementAndGet();
    private Origin origin;

    @BeforeEach
    void start() throws IOException {
        origin = servers.origin("o");
        REDIS.start();
    }

    private Gateway gateway(String name, String limiter) {
        return servers.gateway(Configs.gateway("  name: " + name + "\n"
                + "  cluster: {enabled: true, redis: '" + REDIS.uri() + "', namespace: " + namespace
                + ", heartbeat: 100ms, member_ttl: 400ms, reconnect_min: 20ms, reconnect_max: 200ms}\n"
                + "  routes:\n    - {name: a, path_prefix: /, filters: [{rate_limit: " + limiter + "}]}\n",
                origin.address()), BuiltInFilters.types());
    }

    @Test
    void twoGatewaysSharingRedisAdmitTheConfiguredRateInTotal() throws Exception {
        Run run = twoGateways("{store: cluster, cluster: {timeout: 1s}, "
                + "rules: [{name: shared, key: global, rate: 100, period: 1s, burst: 20}]}");
        double expected = 20 + 100 * run.seconds(); // the burst, then the rate (the burst absorbs the load's jitter)
        assertThat((double) run.admitted()).as("admitted in %.2f s by both gateways", run.seconds())
                .isBetween(expected * 0.95, expected * 1.05);
    }

    @Test
    void withBatchingTheCostInAccuracyIsAtMostTheCellsHeldInLeases() throws Exception {
        Run run = twoGateways("{store: cluster, cluster: {timeout: 1s, batch: 10}, "
                + "rules: [{name: batched, key: global, rate: 100, period: 1s, burst: 20}]}");
        double expected = 20 + 100 * run.seconds();
        double held = 2 * (10 - 1); // gateways * (batch - 1)
        assertThat((double) run.admitted()).as("admitted in %.2f s by both gateways, batch 10", run.seconds())
                .isBetween(expected * 0.95 - held, expected * 1.05 + held);
    }

    @Test
    void withBatchingALoadBelowTheLimitIsNeverRefused() throws Exception {
        // batch * the load > the rate > the load: leases that lapsed a few cells in, or concurrent calls
        // each taking a lease, would spend the quota far faster than the load uses it
        floodBelowTheLimit("{store: cluster, cluster: {timeout: 1s, batch: 50}, "
                + "rules: [{name: below, key: global, rate: 50000, period: 1s, burst: 200}]}", 50_000);
    }

    @Test
    void withBatchingFarAboveTheLoadConcurrentRequestsShareLeasesWithoutQueueing() throws Exception {
        // a lease that lived only until the TAT (nanoseconds away here) served no one waiting for it, and
        // requests queued behind one another's calls until the timeout sent them to the fail mode
        floodBelowTheLimit("{store: cluster, cluster: {timeout: 1s, batch: 10}, "
                + "rules: [{name: far, key: global, rate: 100000000, period: 1s}]}", 100_000_000);
    }

    private void floodBelowTheLimit(String limiter, double rate) throws Exception {
        Gateway g = gateway("g", limiter);
        awaitShared(g);
        double fallbacksBefore = counter(g, "strata_ratelimit_fallbacks_total");
        double callsBefore = counter(g, "strata_ratelimit_redis_seconds_count");
        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        long start = System.nanoTime();
        long end = start + 2_000_000_000L;
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                runs.add(pool.submit(() -> {
                    try (RawClient c = new RawClient(g.listenerAddress("main"))) {
                        while (System.nanoTime() < end) {
                            int status = c.send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n").read().status();
                            (status == 200 ? admitted : refused).incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        double calls = counter(g, "strata_ratelimit_redis_seconds_count") - callsBefore;
        System.out.printf("batching below the limit: %d admitted in %.2f s, %d refused, %.0f Redis calls%n",
                admitted.get(), seconds, refused.get(), calls);
        assertThat(admitted.get() / seconds).as("the premise: a load below the rate").isLessThan(rate);
        assertThat(refused.get()).as("refusals of a load below the limit").isZero();
        assertThat(counter(g, "strata_ratelimit_fallbacks_total")).as("every decision by Redis").isEqualTo(fallbacksBefore);
        assertThat(calls).as("Redis calls: one per lease, not one per request").isLessThan(admitted.get() / 2.0);
    }

    /** What two gateways on one Redis admitted of a global limit, six clients flooding them for three seconds. */
    record Run(int admitted, double seconds) {}

    private Run twoGateways(String limiter) throws Exception {
        Gateway g1 = gateway("g1", limiter);
        Gateway g2 = gateway("g2", limiter);
        awaitShared(g1);
        awaitShared(g2);
        double fallbacksBefore = counter(g1, "strata_ratelimit_fallbacks_total") + counter(g2, "strata_ratelimit_fallbacks_total");
        Thread.sleep(500); // idle for longer than the window and any lease, so the schedule starts with a whole burst

        List<InetSocketAddress> targets = List.of(g1.listenerAddress("main"), g2.listenerAddress("main"));
        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        long start = System.nanoTime();
        long end = start + 3_000_000_000L;
        AtomicLong lastEnd = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> runs = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                InetSocketAddress at = targets.get(t % 2);
                runs.add(pool.submit(() -> {
                    try (RawClient c = new RawClient(at)) {
                        while (System.nanoTime() < end) {
                            int status = c.send("GET /x HTTP/1.1\r\nHost: h\r\n\r\n").read().status();
                            lastEnd.accumulateAndGet(System.nanoTime(), Math::max);
                            if (status == 200) {
                                admitted.incrementAndGet();
                            } else if (status != 429) {
                                other.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : runs) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(other.get()).as("answers other than 200 and 429").isZero();
        assertThat(counter(g1, "strata_ratelimit_fallbacks_total") + counter(g2, "strata_ratelimit_fallbacks_total"))
                .as("every decision by Redis").isEqualTo(fallbacksBefore);
        Run run = new Run(admitted.get(), (lastEnd.get() - start) / 1e9);
        System.out.printf("rate limit accuracy: %s admitted %d in %.3f s (expected %.1f), Redis calls %.0f + %.0f%n",
                limiter, run.admitted(), run.seconds(), 20 + 100 * run.seconds(),
                counter(g1, "strata_ratelimit_redis_seconds_count"), counter(g2, "strata_ratelimit_redis_seconds_count"));
        return run;
    }

    @Test
    void redisKilledMidTestGetsTheFailModeAndNoRequestHangs() throws Exception {
        Gateway closed = gateway("closed", "{store: cluster, cluster: {timeout: 100ms, on_failure: closed}, "
                + "rules: [{name: c, key: global, rate: 1000, period: 1s}]}");
        Gateway local = gateway("local", "{store: cluster, cluster: {timeout: 100ms, on_failure: local}, "
                + "rules: [{name: l, key: global, rate: 3, period: 60s}]}");
        Gateway open = gateway("open", "{store: cluster, cluster: {timeout: 100ms, on_failure: open}, "
                + "rules: [{name: o, rate: 1, period: 60s}]}");
        awaitShared(closed);
        awaitShared(local);
        awaitShared(open);
        assertThat(get(local).status()).isEqualTo(200);

        REDIS.kill();
        RawClient.Response refused = get(closed);
        assertThat(refused.status()).isEqualTo(503);
        assertThat(refused.header("retry-after")).isEqualTo("1");
        assertThat(refused.header("content-type")).isEqualTo("application/problem+json");
        // the local fallback: this gateway's own store, with the same limit, counted from nothing
        for (int i = 0; i < 3; i++) {
            assertThat(get(local).status()).as("fallback request %d", i).isEqualTo(200);
        }
        assertThat(get(local).status()).isEqualTo(429);
        assertThat(counter(local, "strata_ratelimit_fallbacks_total")).isPositive();
        assertThat(counter(local, "strata_ratelimit_redis_errors_total")).isPositive();
        for (int i = 0; i < 5; i++) {
            // a client Redis would admit once a minute
            assertThat(get(open, "192.0.2.5").status()).as("fail-open").isEqualTo(200);
        }

        REDIS.start(); // an empty Redis: the script is loaded again, the shared count starts over
        awaitShared(closed);
        assertThat(get(closed).status()).isEqualTo(200);
    }

    /** Waits until a request is decided by Redis, not by the fail mode. */
    private void awaitShared(Gateway g) throws InterruptedException {
        Await.until(() -> {
            try {
                double before = counter(g, "strata_ratelimit_fallbacks_total");
                int status = get(g).status();
                return (status == 200 || status == 429) && counter(g, "strata_ratelimit_fallbacks_total") == before;
            } catch (IOException e) {
                return false;
            }
        });
    }

    /** A request whose answer must come within a bound far above the limiter's timeout. */
    private static RawClient.Response get(Gateway g) throws IOException {
        return get(g, "127.0.0.1");
    }

    private static RawClient.Response get(Gateway g, String client) throws IOException {
        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            c.socket().setSoTimeout(5_000);
            return c.send("GET /w HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: " + client + "\r\n\r\n").read();
        }
    }

    private static double counter(Gateway g, String name) throws IOException {
        String text = RateLimitFilterTest.call(g.adminAddress(), "GET /_strata/metrics HTTP/1.1\r\nHost: a\r\n\r\n").text();
        double sum = 0;
        for (String line : text.lines().toList()) {
            if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }
}
