package dev.strata.gateway.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.config.GatewayConfig;
import dev.strata.gateway.filter.builtin.BuiltInFilters;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.OriginAndGateway;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.Servers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Filter state across the warm-up and reloads (issue point 6): the warm-up runs a stateful filter on
 * throw-away state only, a filter that sits the warm-up out is never built for it, and a reload hands the
 * next generation the state of the previous one for the keys it asks again.
 */
class FilterStateTest {

    /** One build of a counting filter: for which route, whether for the warm-up, and the state it was handed. */
    record Built(String route, boolean warmup, AtomicLong count) {}

    /** A type whose filters count requests in state kept under {@code key}; it records every build. */
    static final class Counting {
        final String name;
        final WarmupMode mode;
        final boolean perRoute;
        final List<Built> builds = new CopyOnWriteArrayList<>();
        final AtomicInteger mismatches = new AtomicInteger(); // a request whose warm-up flag is not its build's

        Counting(String name, WarmupMode mode, boolean perRoute) {
            this.name = name;
            this.mode = mode;
            this.perRoute = perRoute;
        }

        FilterType<TestFilters.None> type() {
            return TestFilters.type(name, mode, build -> {
                AtomicLong count = build.state(perRoute ? "count/" + build.route() : "count", AtomicLong.class,
                        AtomicLong::new);
                boolean warmup = build.warmup();
                builds.add(new Built(build.route(), warmup, count));
                return context -> {
                    if (context.warmup() != warmup) {
                        mismatches.incrementAndGet();
                    }
                    count.incrementAndGet();
                    return Verdict.CONTINUE;
                };
            });
        }

        List<Built> real() {
            return builds.stream().filter(b -> !b.warmup()).toList();
        }

        List<Built> warm() {
            return builds.stream().filter(Built::warmup).toList();
        }

        Built last() {
            return builds.get(builds.size() - 1);
        }
    }

    static final Counting counting = new Counting("counting", WarmupMode.THROWAWAY_STATE, false);
    static final Counting sitsOut = new Counting("sits_out", WarmupMode.OFF, false);

    @RegisterExtension
    static final OriginAndGateway env = new OriginAndGateway("o1", """
              warmup: {enabled: true, max_time: 1s}
              routes:
                - {name: web, path_prefix: /, filters: [{counting: {}}, {sits_out: {}}]}
            """, BuiltInFilters.types().with(counting.type()).with(sitsOut.type()));

    /** For the tests that start a gateway of their own, with filter types of their own. */
    @RegisterExtension
    final Servers servers = new Servers();

    /** The origin behind the gateway {@link #startCounting} started. */
    private Origin origin;
    /** The configuration {@link #startCounting} started its gateway on: one route, that counts. */
    private GatewayConfig withCounting;

    @Test
    void theWarmupRunsOnThrowAwayStateAndNeverOnTheRealOne() throws Exception {
        assertThat(counting.warm()).as("built for the warm-up").isNotEmpty();
        assertThat(counting.warm().stream().mapToLong(b -> b.count().get()).sum())
                .as("the warm-up's state saw its traffic").isPositive();
        assertThat(counting.real()).singleElement().satisfies(real -> {
            assertThat(real.count().get()).as("the real state saw none of the warm-up").isZero();
            assertThat(counting.warm()).allSatisfy(w -> assertThat(w.count()).isNotSameAs(real.count()));
        });
        assertThat(sitsOut.builds).as("an OFF type is built only for real").singleElement()
                .satisfies(b -> assertThat(b.warmup()).isFalse());
        assertThat(sitsOut.last().count().get()).isZero();

        int n = 7;
        for (int i = 0; i < n; i++) {
            assertThat(get(env.address(), "/r/" + i).status()).isEqualTo(200);
        }
        assertThat(counting.real().get(0).count().get()).isEqualTo(n);
        assertThat(sitsOut.last().count().get()).isEqualTo(n);
        assertThat(counting.mismatches.get()).as("context.warmup() is the build's").isZero();
        assertThat(sitsOut.mismatches.get()).isZero();
    }

    @Test
    void aReloadThatKeepsTheFilterHandsOnItsStateAndOneThatDropsItLetsItGo() throws Exception {
        Counting c = new Counting("counting", WarmupMode.THROWAWAY_STATE, false);
        Gateway g = startCounting(c);
        InetSocketAddress at = g.listenerAddress("main");
        AtomicLong first = c.last().count();
        get(at, "/a");
        get(at, "/b");
        get(at, "/c");
        assertThat(first.get()).isEqualTo(3);

        g.reload(config("routes: [{name: web, path_prefix: /, filters: [{counting: {}}, "
                + "{headers: {response: {set: {X-Gen: two}}}}]}]", origin));
        assertThat(c.builds).hasSize(2);
        assertThat(c.last().count()).as("the same state, handed to the new generation").isSameAs(first);
        assertThat(get(at, "/d").header("x-gen")).isEqualTo("two");
        get(at, "/e");
        assertThat(first.get()).as("the count goes on").isEqualTo(5);

        g.reload(config("routes: [{name: web, path_prefix: /}]", origin));
        get(at, "/uncounted");
        assertThat(first.get()).isEqualTo(5);

        g.reload(withCounting);
        AtomicLong fresh = c.last().count();
        assertThat(fresh).as("dropped at the reload before, so made anew").isNotSameAs(first);
        assertThat(fresh.get()).isZero();
        get(at, "/f");
        assertThat(fresh.get()).isEqualTo(1);
        assertThat(first.get()).isEqualTo(5);
    }

    @Test
    void aRefusedReloadKeepsTheStateAsItWas() throws Exception {
        Counting c = new Counting("counting", WarmupMode.THROWAWAY_STATE, false);
        Gateway g = startCounting(c);
        InetSocketAddress at = g.listenerAddress("main");
        AtomicLong first = c.last().count();
        get(at, "/a");
        assertThatThrownBy(() -> g.reload(config("routes: [{name: web, path_prefix: /, filters: [{counting: {}}, "
                + "{headers: {request: {set: {\"no good\": x}}}}]}]", origin)))
                .hasMessageContaining("routes.web.filters.headers");
        get(at, "/b");
        assertThat(first.get()).as("the running generation counts on").isEqualTo(2);
        g.reload(withCounting);
        assertThat(c.last().count()).isSameAs(first);
        get(at, "/c");
        assertThat(first.get()).isEqualTo(3);
    }

    @Test
    void stateIsKeptPerTypeAndKeySoARoutesOwnStateHasTheRouteInItsKey() throws Exception {
        Counting shared = new Counting("shared", WarmupMode.THROWAWAY_STATE, false);
        Counting own = new Counting("own", WarmupMode.THROWAWAY_STATE, true);
        Gateway g = servers.gateway(config("""
                routes:
                    - {name: a, path_prefix: /a, filters: [{shared: {}}, {own: {}}]}
                    - {name: b, path_prefix: /b, filters: [{shared: {}}, {own: {}}]}
                """, servers.origin("o2")), BuiltInFilters.types().with(shared.type()).with(own.type()));
        InetSocketAddress at = g.listenerAddress("main");
        get(at, "/a/1");
        get(at, "/a/2");
        get(at, "/b/1");
        assertThat(shared.builds).hasSize(2);
        assertThat(shared.builds.get(0).count()).isSameAs(shared.builds.get(1).count());
        assertThat(shared.builds.get(0).count().get()).isEqualTo(3);
        assertThat(own.builds).extracting(b -> b.route() + "=" + b.count().get())
                .containsExactlyInAnyOrder("a=2", "b=1");
    }

    /** Starts an origin of the test's own and, in front of it, a gateway whose one route counts with {@code c}. */
    private Gateway startCounting(Counting c) throws IOException {
        origin = servers.origin("o2");
        withCounting = config("routes: [{name: web, path_prefix: /, filters: [{counting: {}}]}]", origin);
        return servers.gateway(withCounting, BuiltInFilters.types().with(c.type()));
    }

    private static GatewayConfig config(String routes, Origin origin) {
        return Configs.gateway(routes.lines().map(l -> "  " + l + "\n").reduce("", String::concat), origin.address());
    }

    private static RawClient.Response get(InetSocketAddress at, String path) throws IOException {
        try (RawClient c = new RawClient(at)) {
            RawClient.Response r = c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            return r;
        }
    }
}
