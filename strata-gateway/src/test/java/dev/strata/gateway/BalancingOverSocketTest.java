package dev.strata.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.config.GatewayConfig;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.Servers;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The balancing policies as a client sees them, over real sockets through a running gateway: the
 * load-aware policies send a slow endpoint markedly less than its round-robin share, and consistent
 * hashing keeps every key on its endpoint except the keys of an endpoint that leaves.
 *
 * <p>Assertions are on counts and shares, never on time: a slow endpoint is one whose origin waits
 * before every answer, and what is measured is how many requests each origin served. Slow start,
 * active checks and outlier detection are off so that every endpoint is eligible at full weight
 * throughout.
 */
class BalancingOverSocketTest {

    /** Concurrent keep-alive clients in a load run; each sends {@link #REQUESTS_PER_CLIENT} GETs. */
    private static final int CLIENTS = 12;
    private static final int REQUESTS_PER_CLIENT = 30;
    /** How long the slow origin waits before every answer. */
    private static final long SLOW_MILLIS = 100;

    /** Endpoints of the consistent-hash group before one leaves, and keys sent each pass. */
    private static final int HASH_ENDPOINTS = 5;
    private static final int KEYS = 400;
    private static final int HASH_CLIENTS = 4;

    @RegisterExtension
    final Servers servers = new Servers();

    // ------------------------------------------------------------------ load-aware policies

    @Test
    void leastRequestSendsASlowEndpointLessThanHalfItsRoundRobinShare() throws Exception {
        slowEndpointGetsLessThanHalfItsRoundRobinShareUnder("least-request");
    }

    @Test
    void peakEwmaSendsASlowEndpointLessThanHalfItsRoundRobinShare() throws Exception {
        slowEndpointGetsLessThanHalfItsRoundRobinShareUnder("peak-ewma");
    }

    private void slowEndpointGetsLessThanHalfItsRoundRobinShareUnder(String policy) throws Exception {
        Origin fast1 = servers.origin("fast1");
        Origin slow = servers.origin("slow");
        Origin fast2 = servers.origin("fast2");
        slow.delay(SLOW_MILLIS);
        List<Origin> origins = List.of(fast1, slow, fast2);

        Map<String, Integer> roundRobin = loadRun("round-robin", origins);
        Map<String, Integer> loadAware = loadRun(policy, origins);

        double roundRobinShare = share(roundRobin, "slow");
        double loadAwareShare = share(loadAware, "slow");
        // round-robin ignores load: the slow endpoint gets its turn, a third of the requests
        assertThat(roundRobinShare).as("round-robin served %s", roundRobin).isBetween(0.30, 0.37);
        // the load-aware policy sees the slow endpoint's requests pile up (or its latency) and avoids it
        assertThat(loadAwareShare)
                .as("%s served %s; round-robin served %s", policy, loadAware, roundRobin)
                .isLessThan(roundRobinShare / 2);
        // yet it does not starve the fast endpoints of each other: both get a real share
        assertThat(share(loadAware, "fast1")).as("%s served %s", policy, loadAware).isGreaterThan(0.25);
        assertThat(share(loadAware, "fast2")).as("%s served %s", policy, loadAware).isGreaterThan(0.25);
    }

    /**
     * A fresh gateway with {@code policy} over {@code origins}; {@link #CLIENTS} keep-alive clients,
     * started together, each send {@link #REQUESTS_PER_CLIENT} GETs. Returns the requests each origin
     * served by name, as the responses' {@code X-Served-By} say, after checking that the origins' own
     * counts agree (no request was retried elsewhere or lost).
     */
    private Map<String, Integer> loadRun(String policy, List<Origin> origins) throws Exception {
        Map<String, Integer> seenBefore = new HashMap<>();
        origins.forEach(o -> seenBefore.put(o.name(), o.seen().size()));
        Gateway g = servers.gateway(Configs.gateway("""
                  upstreams:
                    app:
                      endpoints: [%s]
                      balance: {policy: %s}
                      health:
                        active: {enabled: false}
                        outlier: {enabled: false}
                        slow_start: 0s
                """.formatted(addresses(origins), policy)));
        Map<String, Integer> served = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        try {
            CyclicBarrier start = new CyclicBarrier(CLIENTS);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < CLIENTS; t++) {
                int client = t;
                results.add(pool.submit(() -> {
                    int ok = 0;
                    try (RawClient c = new RawClient(g.listenerAddress("main"))) {
                        start.await(30, TimeUnit.SECONDS);
                        for (int i = 0; i < REQUESTS_PER_CLIENT; i++) {
                            RawClient.Response r = c.send("GET /load/" + client + "/" + i + " HTTP/1.1\r\nHost: h\r\n\r\n")
                                    .read();
                            if (r.status() == 200 && r.header("x-served-by") != null) {
                                served.merge(r.header("x-served-by"), 1, Integer::sum);
                                ok++;
                            }
                        }
                    }
                    return ok;
                }));
            }
            int ok = 0;
            for (Future<Integer> f : results) {
                ok += f.get(60, TimeUnit.SECONDS);
            }
            assertThat(ok).as("%s: 200 answers", policy).isEqualTo(CLIENTS * REQUESTS_PER_CLIENT);
        } finally {
            pool.shutdownNow();
            g.close(); // each run has a gateway of its own
        }
        for (Origin o : origins) {
            assertThat(o.seen().size() - seenBefore.get(o.name()))
                    .as("%s: requests origin %s saw", policy, o.name())
                    .isEqualTo(served.getOrDefault(o.name(), 0));
        }
        return new TreeMap<>(served);
    }

    private static double share(Map<String, Integer> served, String origin) {
        int total = served.values().stream().mapToInt(Integer::intValue).sum();
        return (double) served.getOrDefault(origin, 0) / total;
    }

    // ------------------------------------------------------------------ consistent hashing

    @ParameterizedTest(name = "hash_on: {0}")
    @ValueSource(strings = {"path", "header:X-User", "cookie:session", "query:user"})
    void consistentHashMovesOnlyTheKeysOfARemovedEndpoint(String hashOn) throws Exception {
        List<Origin> origins = servers.origins("o", HASH_ENDPOINTS);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            keys.add("user-" + i);
        }
        Gateway g = servers.gateway(hashConfig(hashOn, origins));
        Map<String, String> before = route(g, hashOn, keys, 0);
        // every endpoint holds a fair part of the keys
        Map<String, Long> perOrigin = before.values().stream()
                .collect(Collectors.groupingBy(o -> o, TreeMap::new, Collectors.counting()));
        assertThat(perOrigin).as("keys per origin").hasSize(HASH_ENDPOINTS);
        perOrigin.values().forEach(n -> assertThat((double) n / KEYS).as("keys per origin: %s", perOrigin)
                .isBetween(0.35 / HASH_ENDPOINTS, 1.75 / HASH_ENDPOINTS));
        // the same key always reaches the same origin, whatever the connection, path or query around it
        assertThat(route(g, hashOn, keys, 1)).as("second pass").isEqualTo(before);

        // one endpoint leaves the group
        Origin removed = origins.get(2);
        List<Origin> remaining = new ArrayList<>(origins);
        remaining.remove(removed);
        g.reload(hashConfig(hashOn, remaining));
        int removedSaw = removed.seen().size();

        Map<String, String> after = route(g, hashOn, keys, 2);
        Set<String> moved = new HashSet<>();
        Set<String> receivers = new HashSet<>();
        for (String key : keys) {
            String was = before.get(key);
            String now = after.get(key);
            assertThat(now).as("key %s", key).isNotEqualTo(removed.name());
            if (!now.equals(was)) {
                moved.add(key);
                receivers.add(now);
            }
        }
        Set<String> ofRemoved = keys.stream().filter(k -> before.get(k).equals(removed.name()))
                .collect(Collectors.toSet());
        // exactly the removed endpoint's keys moved; every other key stayed where it was
        assertThat(moved).as("keys that moved (expected: those of %s)", removed.name()).isEqualTo(ofRemoved);
        // that is about 1/N of the keys, and they spread over the others rather than all landing on one
        assertThat((double) moved.size() / KEYS).as("moved share; keys per origin before: %s", perOrigin)
                .isBetween(0.35 / HASH_ENDPOINTS, 1.75 / HASH_ENDPOINTS);
        assertThat(receivers).as("endpoints that took over moved keys").hasSizeGreaterThanOrEqualTo(2);
        assertThat(removed.seen()).as("requests to the removed endpoint after the reload").hasSize(removedSaw);
        // and the new placement is as sticky as the old one
        assertThat(route(g, hashOn, keys, 3)).as("pass after the reload").isEqualTo(after);
    }

    private static GatewayConfig hashConfig(String hashOn, List<Origin> origins) {
        return Configs.gateway("""
                  upstreams:
                    app:
                      endpoints: [%s]
                      balance: {policy: consistent-hash, hash_on: "%s"}
                      health:
                        active: {enabled: false}
                        outlier: {enabled: false}
                        slow_start: 0s
                """.formatted(addresses(origins), hashOn));
    }

    /**
     * Sends each key once through {@link #HASH_CLIENTS} keep-alive clients at once and returns key to
     * origin name. {@code pass} changes which connection carries a key and everything around the key
     * that is not the key: the query string for {@code path}, the path for a header or a cookie, the
     * Cookie fields the cookie is split over, the other parameters and the encoding of a query's.
     */
    private static Map<String, String> route(Gateway g, String hashOn, List<String> keys, int pass) throws Exception {
        Map<String, String> placed = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(HASH_CLIENTS);
        try {
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < HASH_CLIENTS; t++) {
                int client = t;
                results.add(pool.submit(() -> {
                    try (RawClient c = new RawClient(g.listenerAddress("main"))) {
                        for (int i = 0; i < keys.size(); i++) {
                            if ((i + pass) % HASH_CLIENTS != client) {
                                continue;
                            }
                            String key = keys.get(i);
                            RawClient.Response r = c.send(request(hashOn, key, pass)).read();
                            assertThat(r.status()).as("key %s", key).isEqualTo(200);
                            placed.put(key, r.header("x-served-by"));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : results) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(placed).hasSize(keys.size());
        return new TreeMap<>(placed);
    }

    private static String request(String hashOn, String key, int pass) {
        if (hashOn.equals("path")) {
            return "GET /k/" + key + "?pass=" + pass + " HTTP/1.1\r\nHost: h\r\n\r\n";
        }
        if (hashOn.startsWith("query:")) {
            // on odd passes the value is percent-encoded and other parameters come first
            String value = pass % 2 == 0 ? key : key.replace("-", "%2D");
            String others = pass % 2 == 0 ? "" : "pass=" + pass + "&" + hashOn.substring(6) + "x=1&";
            return "GET /q?" + others + hashOn.substring(6) + "=" + value + "&user=ignored HTTP/1.1\r\nHost: h\r\n\r\n";
        }
        String path = "GET /pass/" + pass + "/" + key.hashCode() * (pass + 1) + " HTTP/1.1\r\nHost: h\r\n";
        if (hashOn.startsWith("header:")) {
            return path + hashOn.substring(7) + ": " + key + "\r\n\r\n";
        }
        if (pass % 2 == 1) {
            // the cookie in a Cookie field of its own, after another one, as HTTP/2 and some clients send them
            return path + "Cookie: theme=dark\r\nCookie: " + hashOn.substring(7) + "=" + key + "; lang=en\r\n\r\n";
        }
        return path + "Cookie: theme=dark; " + hashOn.substring(7) + "=" + key + "; lang=en\r\n\r\n";
    }

    // ------------------------------------------------------------------ helpers

    private static String addresses(List<Origin> origins) {
        return origins.stream().map(Origin::address).collect(Collectors.joining(", "));
    }
}
