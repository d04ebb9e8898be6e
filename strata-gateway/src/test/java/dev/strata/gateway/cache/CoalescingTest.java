package dev.strata.gateway.cache;

import static dev.strata.gateway.cache.Http.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.testing.Await;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.OriginAndGateway;
import dev.strata.gateway.testing.RawClient;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Request coalescing over real sockets: concurrent misses of one key make one upstream request and share
 * its streamed answer; an answer that may not be stored releases the waiters to go upstream together.
 */
class CoalescingTest {

    @RegisterExtension
    static final OriginAndGateway env = new OriginAndGateway("o1", """
              limits: {max_connections: 4096}
              routes:
                - name: few
                  path_prefix: /few
                  filters: [{cache: {coalesce_waiters: 2}}]
                - name: impatient
                  path_prefix: /impatient
                  filters: [{cache: {coalesce_timeout: 100ms}}]
                - name: cached
                  path_prefix: /
                  filters: [{cache: {}}]
            """);

    private static Origin origin() {
        return env.origin();
    }

    /** {@code n} concurrent GETs of {@code path}, each on its own connection. */
    private static List<RawClient.Response> concurrently(int n, String path) throws Exception {
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<RawClient.Response>> fs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                fs.add(pool.submit(() -> {
                    go.await();
                    return get(env.address(), path);
                }));
            }
            go.countDown();
            List<RawClient.Response> out = new ArrayList<>();
            for (Future<RawClient.Response> f : fs) {
                out.add(f.get(60, TimeUnit.SECONDS));
            }
            return out;
        }
    }

    @Test
    @DisplayName("§4 collapsing: 200 concurrent misses of a cold key behind a slow origin make exactly one upstream request")
    void oneFetchForMany() throws Exception {
        CountDownLatch slow = new CountDownLatch(1);
        origin().script("/cold", seen -> {
            try {
                slow.await(1500, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Origin.Reply.of(200, "shared answer", "Cache-Control", "max-age=60");
        });
        List<RawClient.Response> all = concurrently(200, "/cold");
        assertThat(origin().seen("/cold")).isEqualTo(1);
        assertThat(all).allSatisfy(r -> {
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("shared answer");
        });
        assertThat(all).anySatisfy(r -> assertThat(r.header("Cache-Status")).contains("collapsed"));
    }

    @Test
    @DisplayName("§4 collapsing: behind an answer that may not be stored, 200 concurrent requests make 200 upstream requests, in parallel")
    void uncacheableIsNotSerialised() throws Exception {
        AtomicInteger n = new AtomicInteger();
        CountDownLatch together = new CountDownLatch(10);
        origin().script("/private-cold", seen -> {
            if (n.incrementAndGet() == 1) {
                try {
                    Thread.sleep(1000); // the others arrive meanwhile and wait
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Origin.Reply.of(200, "first", "Cache-Control", "private");
            }
            together.countDown();
            boolean met;
            try {
                // ten of the released requests are at the origin at the same time: they were not queued
                met = together.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                met = false;
            }
            return Origin.Reply.of(200, "own", "Cache-Control", "private", "X-Together", Boolean.toString(met));
        });
        List<RawClient.Response> all = concurrently(200, "/private-cold");
        assertThat(origin().seen("/private-cold")).isEqualTo(200);
        assertThat(all).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
        assertThat(all.stream().filter(r -> "own".equals(r.text())))
                .hasSize(199)
                .allSatisfy(r -> assertThat(r.header("X-Together")).isEqualTo("true"));
    }

    @Test
    @DisplayName("§4 collapsing: the waiters are bounded in number; the rest go upstream")
    void waitersBounded() throws Exception {
        origin().script("/few/slow", seen -> {
            sleep(1000);
            return Origin.Reply.of(200, "x", "Cache-Control", "max-age=60");
        });
        List<RawClient.Response> all = concurrently(20, "/few/slow");
        assertThat(all).allSatisfy(r -> assertThat(r.status()).isEqualTo(200));
        assertThat(origin().seen("/few/slow")).isGreaterThan(1);
    }

    @Test
    @DisplayName("§4 collapsing: a waiter waits at most coalesce_timeout, then goes upstream")
    void waitersBoundedInTime() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger n = new AtomicInteger();
        origin().script("/impatient/slow", seen -> {
            if (n.incrementAndGet() == 1) {
                try {
                    release.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return Origin.Reply.of(200, "x", "Cache-Control", "max-age=60");
        });
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            Future<RawClient.Response> leader = pool.submit(() -> get(env.address(), "/impatient/slow"));
            Await.until(() -> n.get() == 1);
            RawClient.Response waiter = get(env.address(), "/impatient/slow");
            assertThat(waiter.status()).isEqualTo(200);
            assertThat(origin().seen("/impatient/slow")).isEqualTo(2);
            release.countDown();
            assertThat(leader.get(20, TimeUnit.SECONDS).status()).isEqualTo(200);
        }
    }

    @Test
    @DisplayName("§4 collapsing: the fill goes on when its first client leaves, and the waiters get the whole body")
    void fillOutlivesLeader() throws Exception {
        byte[] body = new byte[300_000];
        Arrays.fill(body, (byte) 'w');
        origin().script("/leader-leaves", seen -> new Origin.Reply(200, List.of("Cache-Control", "max-age=60"), body,
                false, true));
        int started = origin().heldStarted();
        RawClient leader = new RawClient(env.address());
        leader.send("GET /leader-leaves HTTP/1.1\r\nHost: cache.test\r\n\r\n");
        Await.until(() -> origin().heldStarted() > started);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<RawClient.Response>> waiters = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                waiters.add(pool.submit(() -> get(env.address(), "/leader-leaves")));
            }
            leader.socket().getInputStream().read();
            leader.close();
            Thread.sleep(200); // not a timing assertion: lets the waiters' requests arrive before the end
            origin().releaseHeld();
            for (Future<RawClient.Response> w : waiters) {
                RawClient.Response r = w.get(30, TimeUnit.SECONDS);
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.bodyLength()).isEqualTo(body.length);
            }
        }
        assertThat(origin().seen("/leader-leaves")).isEqualTo(1);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
