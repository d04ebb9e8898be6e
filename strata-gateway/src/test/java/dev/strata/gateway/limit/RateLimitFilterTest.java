package dev.strata.gateway.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.filter.FilterTypes;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.Servers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The {@code rate_limit} filter over real sockets, on a clock the test moves. The test's connections come
 * from loopback, a trusted proxy by default, so {@code X-Forwarded-For} names the client.
 */
class RateLimitFilterTest {

    private static final long MS = 1_000_000L;

    @RegisterExtension
    final Servers servers = new Servers();

    private final AtomicLong clock = new AtomicLong(1_000_000 * MS);
    private Origin origin;

    @BeforeEach
    void origin() throws IOException {
        origin = servers.origin("o");
    }

    private Gateway gateway(String yaml) {
        FilterTypes types = FilterTypes.none().with(new RateLimitFilter.Type(clock::get));
        return servers.gateway(Configs.gateway(yaml, origin.address()), types);
    }

    private static final String LINKS = """
              routes:
                - name: api
                  path_prefix: /api
                  filters:
                    - rate_limit:
                        headers: always
                        allow: [10.9.0.0/16]
                        rules:
                          - {name: create, match: {methods: [POST], path_prefix: /api/links}, rate: 2, period: 10s}
                          - {name: api, rate: 5, period: 1s}
                          - {name: ceiling, key: global, rate: 1000, period: 1s}
                - name: web
                  path_prefix: /
            """;

    @Test
    void overTheLimitIs429ProblemWithRetryAfterAndTheDraftFieldsAndWaitingThatLongGetsThrough() throws Exception {
        Gateway g = gateway(LINKS);
        InetSocketAddress at = g.listenerAddress("main");
        RawClient.Response first = post(at, "/api/links", "192.0.2.1");
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.header("ratelimit-policy")).isEqualTo("\"create\";q=2;w=10");
        assertThat(first.header("ratelimit")).isEqualTo("\"create\";r=1;t=5");
        assertThat(post(at, "/api/links", "192.0.2.1").status()).isEqualTo(200);

        clock.addAndGet(1000 * MS);
        RawClient.Response refused = post(at, "/api/links", "192.0.2.1");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.header("content-type")).isEqualTo("application/problem+json");
        assertThat(refused.text()).contains("\"status\":429").contains("create");
        assertThat(refused.header("retry-after")).isEqualTo("4"); // 5 s interval, 1 s gone
        assertThat(refused.header("ratelimit-policy")).isEqualTo("\"create\";q=2;w=10");
        assertThat(refused.header("ratelimit")).isEqualTo("\"create\";r=0;t=4");
        assertThat(origin.seen()).hasSize(2);

        long wait = Long.parseLong(refused.header("retry-after")) * 1000;
        clock.addAndGet((wait - 1) * MS);
        assertThat(post(at, "/api/links", "192.0.2.1").status()).as("a millisecond early").isEqualTo(429);
        clock.addAndGet(MS);
        assertThat(post(at, "/api/links", "192.0.2.1").status()).as("after Retry-After").isEqualTo(200);
    }

    @Test
    void oneClientsFloodDoesNotTouchAnotherClientAndTheStrictestRuleAnswers() throws Exception {
        Gateway g = gateway(LINKS);
        InetSocketAddress at = g.listenerAddress("main");
        int passed = 0;
        for (int i = 0; i < 20; i++) {
            if (get(at, "/api/links/abc", "198.51.100.7").status() == 200) {
                passed++;
            }
        }
        assertThat(passed).as("the api rule's burst").isEqualTo(5);
        RawClient.Response other = get(at, "/api/links/abc", "198.51.100.8");
        assertThat(other.status()).isEqualTo(200);
        assertThat(other.header("ratelimit")).as("the rule with least left").isEqualTo("\"api\";r=4;t=1");
        assertThat(get(at, "/other", "198.51.100.7").status()).as("another route, no limiter").isEqualTo(200);
        assertThat(get(at, "/api/x", "10.9.3.4").header("ratelimit")).as("allow-listed: not counted").isNull();
        for (int i = 0; i < 20; i++) {
            assertThat(get(at, "/api/x", "10.9.3.4").status()).isEqualTo(200);
        }
    }

    @Test
    void anIpv6ClientIsCountedByItsSlash64() throws Exception {
        Gateway g = gateway(LINKS);
        InetSocketAddress at = g.listenerAddress("main");
        for (int i = 0; i < 5; i++) {
            assertThat(get(at, "/api/a", "2001:db8:1:2::" + (i + 1)).status()).isEqualTo(200);
        }
        assertThat(get(at, "/api/a", "2001:db8:1:2:ffff::9").status()).as("the same /64").isEqualTo(429);
        assertThat(get(at, "/api/a", "2001:db8:1:3::1").status()).as("the next /64").isEqualTo(200);
    }

    @Test
    void dryRunCountsAndLogsButRefusesNothing() throws Exception {
        Gateway g = gateway("""
                  routes:
                    - {name: web, path_prefix: /, filters: [{rate_limit: {dry_run: true, rules: [{name: dry, rate: 1, period: 60s}]}}]}
                """);
        InetSocketAddress at = g.listenerAddress("main");
        for (int i = 0; i < 4; i++) {
            assertThat(get(at, "/", "192.0.2.9").status()).isEqualTo(200);
        }
        String metrics = admin(g, "/_strata/metrics").text();
        assertThat(metrics).containsPattern("strata_ratelimit_requests_total\\{outcome=\"dry_run_rejected\",rule=\"dry\"} 3\\.0");
        assertThat(metrics).containsPattern("strata_ratelimit_requests_total\\{outcome=\"allowed\",rule=\"dry\"} 1\\.0");
    }

    @Test
    void theAdminResourceShowsTheRulesAndTheKeysBeingLimitedMostFirst() throws Exception {
        Gateway g = gateway(LINKS);
        InetSocketAddress at = g.listenerAddress("main");
        for (int i = 0; i < 9; i++) {
            get(at, "/api/a", "192.0.2.50");
        }
        for (int i = 0; i < 7; i++) {
            get(at, "/api/a", "192.0.2.51");
        }
        RawClient.Response limits = admin(g, "/_strata/limits?top=1");
        assertThat(limits.status()).isEqualTo(200);
        assertThat(limits.text())
                .contains("\"rule\":\"create\"", "\"policy\":\"\\\"api\\\";q=5;w=1\"", "\"key\":\"client_address (ipv4_prefix 32, ipv6_prefix 64)\"")
                .contains("\"limited\":[{\"rule\":\"api\",\"key\":\"192.0.2.50\",\"refused\":4}]");
        assertThat(admin(g, "/_strata/limits?top=0").status()).isEqualTo(400);
    }

    @Test
    void theWarmupSpendsNoneOfTheRealQuota() throws Exception {
        Gateway g = gateway("""
                  warmup: {enabled: true, max_time: 1s}
                  routes:
                    - {name: web, path_prefix: /, filters: [{rate_limit: {rules: [{name: all, key: global, rate: 3, period: 60s}]}}]}
                """);
        InetSocketAddress at = g.listenerAddress("main");
        for (int i = 0; i < 3; i++) {
            assertThat(get(at, "/", "192.0.2.1").status()).as("request %d of the burst", i).isEqualTo(200);
        }
        assertThat(get(at, "/", "192.0.2.1").status()).isEqualTo(429);
    }

    @Test
    void badRulesAreRefusedNamingTheRuleAndTheKey() {
        assertThatThrownBy(() -> gateway("  routes: [{name: w, path_prefix: /, filters: [{rate_limit: {rules: [{name: a, rate: 0}]}}]}]\n"))
                .hasStackTraceContaining("rules.a.rate: 0");
        assertThatThrownBy(() -> gateway("  routes: [{name: w, path_prefix: /, filters: [{rate_limit: {rules: [{name: a, rate: 1, period: 1500ms}]}}]}]\n"))
                .hasStackTraceContaining("whole seconds");
        assertThatThrownBy(() -> gateway("  routes: [{name: w, path_prefix: /, filters: [{rate_limit: {rules: [{name: a, rate: 1, key: header:X-Key, ipv6_prefix: 64}]}}]}]\n"))
                .hasStackTraceContaining("ipv6Prefix");
        assertThatThrownBy(() -> gateway("  routes: [{name: w, path_prefix: /, filters: [{rate_limit: {rules: [{name: a, rate: 1, sped: 2}]}}]}]\n"))
                .hasStackTraceContaining("sped");
        assertThatThrownBy(() -> gateway("  routes: [{name: w, path_prefix: /, filters: [{rate_limit: {allow: [nope], rules: [{name: a, rate: 1}]}}]}]\n"))
                .hasStackTraceContaining("allow: 'nope'");
        assertThatThrownBy(() -> gateway("  routes: [{name: w, path_prefix: /, filters: [{rate_limit: {store: cluster, rules: [{name: a, rate: 1}]}}]}]\n"))
                .hasStackTraceContaining("gateway.cluster.enabled");
    }

    @Test
    void aHeaderKeyCountsPerKeyAndRequestsWithoutItAreNotCounted() throws Exception {
        Gateway g = gateway("""
                  filters:
                    - rate_limit: {rules: [{name: keyed, key: "header:X-Api-Key", rate: 1, period: 60s}]}
                """);
        InetSocketAddress at = g.listenerAddress("main");
        String longKey = "k".repeat(5000);
        assertThat(call(at, "GET / HTTP/1.1\r\nHost: h\r\nX-Api-Key: " + longKey + "\r\n\r\n").status()).isEqualTo(200);
        assertThat(call(at, "GET / HTTP/1.1\r\nHost: h\r\nX-Api-Key: " + longKey + "\r\n\r\n").status()).isEqualTo(429);
        assertThat(call(at, "GET / HTTP/1.1\r\nHost: h\r\nX-Api-Key: other\r\n\r\n").status()).isEqualTo(200);
        assertThat(call(at, "GET / HTTP/1.1\r\nHost: h\r\n\r\n").status()).isEqualTo(200);
        assertThat(call(at, "GET / HTTP/1.1\r\nHost: h\r\n\r\n").status()).isEqualTo(200);
    }

    private static RawClient.Response post(InetSocketAddress at, String path, String client) throws IOException {
        return call(at, "POST " + path + " HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: " + client
                + "\r\nContent-Length: 2\r\n\r\n{}");
    }

    private static RawClient.Response get(InetSocketAddress at, String path, String client) throws IOException {
        return call(at, "GET " + path + " HTTP/1.1\r\nHost: h\r\nX-Forwarded-For: " + client + "\r\n\r\n");
    }

    private static RawClient.Response admin(Gateway g, String path) throws IOException {
        return call(g.adminAddress(), "GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n");
    }

    static RawClient.Response call(InetSocketAddress at, String request) throws IOException {
        try (RawClient c = new RawClient(at)) {
            return c.send(request).read();
        }
    }
}
