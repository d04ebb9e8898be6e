package dev.strata.gateway.shed;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.config.GatewayConfig;
import dev.strata.gateway.testing.Await;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.Servers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code shed} filter over real sockets: an app node made slow fills its group's limit and the
 * requests beyond it get a fast 503 problem with {@code Retry-After} (while the slow ones are still
 * under way) instead of waiting to time out; the gateway serves again once the node does. Health checks,
 * exempt paths and the admin listener are never shed; the limit adapts to what the node answers, outlives
 * a reload, and never sees the warm-up.
 */
class ShedTest {

    @RegisterExtension
    final Servers servers = new Servers();

    private Origin origin;

    @BeforeEach
    void origin() throws IOException {
        origin = servers.origin("o1");
    }

    private GatewayConfig config(String shed, boolean activeHealth, String extra) {
        return Configs.gateway(extra
                + "  routes:\n    - {name: web, path_prefix: /, upstream: app, filters: [{shed: {" + shed + "}}]}\n"
                + "  upstreams:\n    app:\n      endpoints: [" + origin.address() + "]\n"
                + "      health: {active: {enabled: " + activeHealth + ", interval: 100ms, timeout: 1s}}\n");
    }

    @Test
    void aSlowNodeIsShedFastWithRetryAfterAndServedAgainWhenItRecovers() throws Exception {
        Gateway g = servers.gateway(config("algorithm: aimd, initial_limit: 2, min_limit: 1, max_limit: 2, "
                + "queue_size: 0, retry_after: 2500ms, exempt_paths: [/healthz]", true, ""));
        List<RawClient> slow = held(g, 2);

        RawClient.Response shed = get(g.listenerAddress("main"), "/links/abc");
        assertThat(shed.status()).as("answered while the slow requests are still under way").isEqualTo(503);
        assertThat(shed.header("content-type")).isEqualTo("application/problem+json");
        assertThat(shed.header("retry-after")).isEqualTo("3");
        assertThat(shed.header("cache-control")).isEqualTo("no-store");
        assertThat(shed.text()).contains("\"status\":503", "concurrency limit");
        assertThat(origin.seen()).extracting(Origin.Seen::uri).doesNotContain("/links/abc");

        // never shed: an exempt path, the admin listener, the active health checks to the node
        assertThat(get(g.listenerAddress("main"), "/healthz").status()).isEqualTo(200);
        assertThat(get(g.adminAddress(), "/_strata/health").status()).isEqualTo(200);
        int checks = origin.healthChecks();
        Await.until(() -> origin.healthChecks() > checks + 2);
        assertThat(admin(g, "/_strata/upstreams")).doesNotContain("unhealthy");

        String state = admin(g, "/_strata/shed");
        assertThat(state).contains("\"upstream\":\"app\"", "\"algorithm\":\"aimd\"", "\"limit\":2", "\"in_flight\":2");
        assertThat(metric(g, "strata_shed_requests_total{reason=\"limit\",upstream=\"app\"}")).isEqualTo(1.0);
        assertThat(metric(g, "strata_shed_limit{upstream=\"app\"}")).isEqualTo(2.0);

        origin.releaseHeld();
        for (RawClient c : slow) {
            assertThat(c.read().status()).isEqualTo(200);
            c.close();
        }
        settled(g);
        assertThat(get(g.listenerAddress("main"), "/links/abc").status()).as("served again").isEqualTo(200);
        assertThat(origin.seen()).extracting(Origin.Seen::uri).contains("/links/abc");
    }

    @Test
    void aRequestWaitsInTheShortQueueForASlotAndOneBeyondTheQueueIsShed() throws Exception {
        Gateway g = servers.gateway(config("algorithm: aimd, initial_limit: 1, min_limit: 1, max_limit: 1, "
                + "queue_size: 1, queue_timeout: 30s", false, ""));
        List<RawClient> slow = held(g, 1);
        RawClient waiting = new RawClient(g.listenerAddress("main")).send(request("/waits"));
        Await.until(() -> admin(g, "/_strata/shed").contains("\"waiting\":1"));

        RawClient.Response beyond = get(g.listenerAddress("main"), "/beyond");
        assertThat(beyond.status()).isEqualTo(503);
        assertThat(beyond.header("retry-after")).isEqualTo("1");

        origin.releaseHeld();
        assertThat(slow.get(0).read().status()).isEqualTo(200);
        RawClient.Response admitted = waiting.read();
        assertThat(admitted.status()).as("granted the slot the slow request gave back").isEqualTo(200);
        assertThat(admitted.text()).contains("GET /waits");
        waiting.close();
        slow.get(0).close();
        Await.until(() -> admin(g, "/_strata/shed").contains("\"in_flight\":0,\"waiting\":0"));
    }

    @Test
    void aRequestThatWaitsPastTheQueueTimeoutIsShedAndNeverReachesTheNode() throws Exception {
        Gateway g = servers.gateway(config("algorithm: aimd, initial_limit: 1, min_limit: 1, max_limit: 1, "
                + "queue_size: 4, queue_timeout: 100ms", false, ""));
        List<RawClient> slow = held(g, 1);
        RawClient.Response late = get(g.listenerAddress("main"), "/late");
        assertThat(late.status()).isEqualTo(503);
        assertThat(late.header("content-type")).isEqualTo("application/problem+json");
        assertThat(late.header("retry-after")).isEqualTo("1");
        assertThat(metric(g, "strata_shed_requests_total{reason=\"queue_timeout\",upstream=\"app\"}")).isEqualTo(1.0);
        assertThat(admin(g, "/_strata/shed")).contains("\"waiting\":0");
        origin.releaseHeld();
        assertThat(slow.get(0).read().status()).isEqualTo(200);
        slow.get(0).close();
        assertThat(origin.seen()).extracting(Origin.Seen::uri).doesNotContain("/late");
    }

    @Test
    void theLimitFallsOnErrorsFromTheNodeKeepsItsValueOverAReloadAndClimbsWhenTheNodeRecovers() throws Exception {
        String shed = "algorithm: aimd, initial_limit: 8, min_limit: 1, max_limit: 8, backoff_ratio: 0.5, queue_size: 0";
        Gateway g = servers.gateway(config(shed, false, ""));
        InetSocketAddress main = g.listenerAddress("main");
        for (int i = 0; i < 4; i++) {
            assertThat(get(main, "/status/500").status()).isEqualTo(500);
            settled(g); // the slot is given back once the exchange has ended, just after the client has its answer
        }
        assertThat(limit(g)).as("8, 4, 2, 1: each 5xx a drop").isEqualTo(1);

        g.reload(config(shed, false, "  name: gw-reloaded\n"));
        assertThat(limit(g)).as("kept over a reload").isEqualTo(1);
        assertThat(admin(g, "/_strata/shed")).contains("\"samples\":4");

        for (int i = 0; i < 2; i++) {
            assertThat(get(main, "/fine").status()).isEqualTo(200);
            settled(g);
        }
        assertThat(limit(g)).as("one more for each success while the node is busy enough").isEqualTo(3);

        String changed = shed.replace("initial_limit: 8", "initial_limit: 6").replace("max_limit: 8", "max_limit: 6");
        GatewayConfig refused = config(changed, false, "  filters: [{shed: {algorithm: vegas}}]\n");
        assertThatThrownBy(() -> g.reload(refused)).hasMessageContaining("vegas");
        assertThat(get(main, "/fine").status()).isEqualTo(200);
        settled(g);
        assertThat(limit(g)).as("a refused reload leaves the limit shown and used as it was").isEqualTo(3);
        assertThat(metric(g, "strata_shed_limit{upstream=\"app\"}")).isEqualTo(3.0);

        g.reload(config(changed, false, ""));
        assertThat(get(main, "/fine").status()).isEqualTo(200);
        settled(g);
        assertThat(limit(g)).as("new settings: a new limit, shown from its first request").isEqualTo(6);
        assertThat(metric(g, "strata_shed_limit{upstream=\"app\"}")).isEqualTo(6.0);
    }

    @Test
    void aNodeThatTurnsSlowLowersTheLimitSoTheExcessIsShedAndTheLimitClimbsBackWhenItIsFastAgain() throws Exception {
        Gateway g = servers.gateway(config("algorithm: aimd, initial_limit: 4, min_limit: 1, max_limit: 4, "
                + "backoff_ratio: 0.5, max_latency: 1s, queue_size: 0", false, ""));
        InetSocketAddress main = g.listenerAddress("main");
        origin.delay(1500);
        for (int i = 0; i < 2; i++) {
            assertThat(get(main, "/slow").status()).as("served, slowly").isEqualTo(200);
            settled(g);
        }
        assertThat(limit(g)).as("4, 2, 1: each answer slower than max_latency a drop").isEqualTo(1);

        List<RawClient> slow = held(g, 1);
        assertThat(get(main, "/more").status()).as("beyond the lowered limit").isEqualTo(503);

        origin.delay(0);
        origin.releaseHeld();
        assertThat(slow.get(0).read().status()).isEqualTo(200);
        slow.get(0).close();
        settled(g);
        for (int i = 0; i < 2; i++) {
            assertThat(get(main, "/fast").status()).isEqualTo(200);
            settled(g);
        }
        assertThat(limit(g)).as("one more for each fast answer").isGreaterThan(1);
    }

    @Test
    void underABurstFromManyClientsEverySlotIsGivenBackAndEveryRequestIsServedOrShed() throws Exception {
        Gateway g = servers.gateway(config("algorithm: aimd, initial_limit: 3, min_limit: 3, max_limit: 3, "
                + "queue_size: 4, queue_timeout: 20ms", false, ""));
        origin.delay(10);
        InetSocketAddress main = g.listenerAddress("main");
        ExecutorService pool = Executors.newFixedThreadPool(24);
        ConcurrentHashMap<Integer, AtomicInteger> statuses =
                new ConcurrentHashMap<>();
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 24; t++) {
            done.add(pool.submit(() -> {
                for (int i = 0; i < 10; i++) {
                    int status = get(main, "/burst").status();
                    statuses.computeIfAbsent(status, k -> new AtomicInteger()).incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        assertThat(statuses.keySet()).as("served or shed, nothing else").containsAnyOf(200).isSubsetOf(200, 503);
        assertThat(statuses.values().stream().mapToInt(AtomicInteger::get).sum()).isEqualTo(240);
        Await.until(() -> admin(g, "/_strata/shed").contains("\"in_flight\":0,\"waiting\":0"));
        assertThat(origin.seen()).hasSize(statuses.get(200).get());
        origin.delay(0);
        assertThat(get(main, "/after").status()).isEqualTo(200);
    }

    @Test
    void theWarmupNeverTouchesTheRealLimit() throws Exception {
        Gateway g = servers.gateway(config("initial_limit: 5, min_limit: 1, max_limit: 5", false,
                "  warmup: {enabled: true, max_time: 1s}\n"));
        String state = admin(g, "/_strata/shed");
        assertThat(state).contains("\"algorithm\":\"gradient\"", "\"limit\":5", "\"in_flight\":0", "\"shed\":0",
                "\"samples\":0");
        assertThat(get(g.listenerAddress("main"), "/x").status()).isEqualTo(200);
        Await.until(() -> admin(g, "/_strata/shed").contains("\"samples\":1"));
    }

    @Test
    void aGatewayWideShedGivesEachGroupItsOwnLimitAndLeavesARespondRouteAlone() throws Exception {
        Origin other = servers.origin("o2");
        GatewayConfig c = Configs.gateway("  filters: [{shed: {initial_limit: 7, min_limit: 1, max_limit: 9}}]\n"
                + "  routes:\n"
                + "    - {name: web, path_prefix: /, upstream: app}\n"
                + "    - {name: web2, path_prefix: /two, upstream: app}\n"
                + "    - {name: api, path_prefix: /api, upstream: api}\n"
                + "    - {name: moved, path_prefix: /old, respond: {status: 301, headers: {Location: /}}}\n"
                + "  upstreams:\n"
                + "    app: {endpoints: [" + origin.address() + "], health: {active: {enabled: false}}}\n"
                + "    api: {endpoints: [" + other.address() + "], health: {active: {enabled: false}}}\n");
        Gateway g = servers.gateway(c);
        assertThat(get(g.listenerAddress("main"), "/two/x").status()).isEqualTo(200);
        assertThat(get(g.listenerAddress("main"), "/old").status()).isEqualTo(301);
        assertThat(get(g.listenerAddress("main"), "/nowhere-else").status()).isEqualTo(200);
        String state = admin(g, "/_strata/shed");
        assertThat(state).contains("\"upstream\":\"api\"", "\"upstream\":\"app\"");
        assertThat(Pattern.compile("\"upstream\":\"app\"").matcher(state).results().count()).isEqualTo(1);
        Await.until(() -> admin(g, "/_strata/shed").contains("\"in_flight\":0,\"waiting\":0,\"shed\":0,\"samples\":2"));
    }

    @Test
    void settingsItCannotUseAreRefusedNamingTheKey() {
        assertThatThrownBy(() -> servers.gateway(config("algorithm: vegas", false, "")))
                .hasMessageEndingWith("routes.web.filters.shed.algorithm: 'vegas' (expected: gradient or aimd)");
        assertThatThrownBy(() -> servers.gateway(config("min_limit: 10, max_limit: 5", false, "")))
                .hasMessageEndingWith("routes.web.filters.shed.max_limit: 5 (expected: >= min_limit, 10)");
        assertThatThrownBy(() -> servers.gateway(config("queue_size: 2, queue_timeout: 0s", false, "")))
                .hasMessageContaining("queue_timeout");
        assertThatThrownBy(() -> servers.gateway(config("limt: 3", false, "")))
                .hasMessageContaining("routes.web.filters.shed: ").hasMessageContaining("limt")
                .hasMessageNotContaining("dev.strata");
    }

    // ------------------------------------------------------------------ requests and admin calls

    /** {@code n} requests the node holds (it has sent their first part and waits for {@link Origin#releaseHeld}). */
    private List<RawClient> held(Gateway g, int n) throws Exception {
        int before = origin.heldStarted();
        List<RawClient> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new RawClient(g.listenerAddress("main")).send(request("/held/100000")));
        }
        Await.until(() -> origin.heldStarted() == before + n);
        return out;
    }

    private static String request(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: links.test\r\n\r\n";
    }

    private static RawClient.Response get(InetSocketAddress address, String path) throws IOException {
        try (RawClient c = new RawClient(address)) {
            return c.send(request(path)).read();
        }
    }

    private static String admin(Gateway g, String path) {
        try {
            return get(g.adminAddress(), path).text();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void settled(Gateway g) throws InterruptedException {
        Await.until(() -> admin(g, "/_strata/shed").contains("\"in_flight\":0"));
    }

    private static int limit(Gateway g) {
        Matcher m = Pattern.compile("\"limit\":(\\d+)").matcher(admin(g, "/_strata/shed"));
        assertThat(m.find()).isTrue();
        return Integer.parseInt(m.group(1));
    }

    private static double metric(Gateway g, String series) {
        for (String line : admin(g, "/_strata/metrics").split("\n")) {
            if (line.startsWith(series + " ")) {
                return Double.parseDouble(line.substring(series.length() + 1).trim());
            }
        }
        throw new AssertionError("no metric " + series);
    }
}
