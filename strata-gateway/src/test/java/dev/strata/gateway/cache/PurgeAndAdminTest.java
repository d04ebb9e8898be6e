package dev.strata.gateway.cache;

import static dev.strata.gateway.cache.Http.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.OriginAndGateway;
import dev.strata.gateway.testing.RawClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Purges (by URL, tag, prefix; hard and soft), the admin view of the stores, the cache's meters, the
 * per-route key, and a store that outlives a reload; over real sockets.
 */
class PurgeAndAdminTest {

    private static final String ROUTES = """
              admin: {address: 127.0.0.1:0, token: purger}
              routes:
                - name: keyed
                  path_prefix: /keyed
                  filters: [{cache: {key: {host: false, query: [id], headers: [X-Tenant]}}}]
                - name: cached
                  path_prefix: /
                  filters: [{cache: {stale_while_revalidate: 1h}}]
            """;

    @RegisterExtension
    static final OriginAndGateway env = new OriginAndGateway("o1", ROUTES);

    private static Origin origin() {
        return env.origin();
    }

    private static boolean hit(RawClient.Response r) {
        return r.header("Cache-Status") != null && r.header("Cache-Status").contains("; hit");
    }

    private static RawClient.Response admin(String method, String path, String json) throws IOException {
        try (RawClient c = new RawClient(env.admin())) {
            String body = json == null ? "" : json;
            return c.send(method + " " + path + " HTTP/1.1\r\nHost: admin\r\nContent-Type: application/json\r\n"
                    + "Authorization: Bearer purger\r\n"
                    + "Content-Length: " + body.length() + "\r\nConnection: close\r\n\r\n" + body).read();
        }
    }

    /** A path that answers a new version each time, fresh for a minute, with {@code fields}. */
    private static void versioned(String path, String... fields) {
        AtomicInteger v = new AtomicInteger();
        String[] all = new String[fields.length + 2];
        all[0] = "Cache-Control";
        all[1] = "max-age=60";
        System.arraycopy(fields, 0, all, 2, fields.length);
        origin().script(path, seen -> Origin.Reply.of(200, "v" + v.incrementAndGet(), all));
    }

    private static InetSocketAddress gw() {
        return env.address();
    }

    @Test
    @DisplayName("purge: by URL removes the stored response; the next request goes to the origin")
    void purgeByUrl() throws Exception {
        versioned("/p/url");
        get(gw(), "/p/url");
        assertThat(hit(get(gw(), "/p/url"))).isTrue();
        RawClient.Response r = admin("POST", "/_strata/purge", "{\"urls\": [\"http://cache.test/p/url\"]}");
        assertThat(r.status()).as(r.text()).isEqualTo(200);
        assertThat(r.text()).contains("\"purged\":1");
        assertThat(get(gw(), "/p/url").text()).isEqualTo("v2");
        admin("POST", "/_strata/purge", "{\"urls\": [\"/p/url\"]}");
        assertThat(get(gw(), "/p/url").text()).as("a path purges it on every host").isEqualTo("v3");
    }

    @Test
    @DisplayName("purge: by tag from Surrogate-Key or Cache-Tag, which the client never sees")
    void purgeByTag() throws Exception {
        versioned("/p/tag-a", "Surrogate-Key", "group-1 item-7");
        versioned("/p/tag-b", "Cache-Tag", "group-1, other");
        versioned("/p/tag-c", "Cache-Tag", "other");
        RawClient.Response first = get(gw(), "/p/tag-a");
        assertThat(first.header("Surrogate-Key")).isNull();
        assertThat(get(gw(), "/p/tag-b").header("Cache-Tag")).isNull();
        get(gw(), "/p/tag-c");
        RawClient.Response again = get(gw(), "/p/tag-a");
        assertThat(hit(again)).isTrue();
        assertThat(again.header("Surrogate-Key")).isNull();
        assertThat(admin("POST", "/_strata/purge", "{\"tags\": [\"group-1\"]}").text()).contains("\"purged\":2");
        assertThat(hit(get(gw(), "/p/tag-a"))).isFalse();
        assertThat(hit(get(gw(), "/p/tag-b"))).isFalse();
        assertThat(hit(get(gw(), "/p/tag-c"))).isTrue();
    }

    @Test
    @DisplayName("purge: by prefix; soft marks stale so stale-while-revalidate still answers at once")
    void purgeByPrefixSoft() throws Exception {
        versioned("/p/pre/one");
        versioned("/p/pre/two");
        versioned("/p/elsewhere");
        get(gw(), "/p/pre/one");
        get(gw(), "/p/pre/two");
        get(gw(), "/p/elsewhere");
        assertThat(admin("POST", "/_strata/purge", "{\"prefix\": \"/p/pre/\", \"soft\": true}").text())
                .contains("\"purged\":2").contains("\"soft\":true");
        RawClient.Response stale = get(gw(), "/p/pre/one");
        assertThat(stale.text()).as("soft: the old copy, served stale").isEqualTo("v1");
        assertThat(stale.header("Cache-Status")).contains("stale-while-revalidate");
        assertThat(hit(get(gw(), "/p/elsewhere"))).isTrue();
        admin("POST", "/_strata/purge", "{\"prefix\": \"/p/pre/\"}");
        assertThat(get(gw(), "/p/pre/two").text()).as("hard: gone").isEqualTo("v2");
    }

    @Test
    @DisplayName("purge: bad requests are problem+json 400s (nothing named, bad prefix, unknown key, not JSON), 415 without JSON")
    void purgeRefusals() throws Exception {
        for (String bad : new String[] {"{}", "{\"prefix\": \"no-slash\"}", "{\"everything\": true}", "not json",
                "{\"urls\": [\"ftp://x/y\"]}", "[1]"}) {
            RawClient.Response r = admin("POST", "/_strata/purge", bad);
            assertThat(r.status()).as(bad).isEqualTo(400);
            assertThat(r.header("Content-Type")).as(bad).isEqualTo("application/problem+json");
        }
        try (RawClient c = new RawClient(env.admin())) {
            RawClient.Response r = c.send("POST /_strata/purge HTTP/1.1\r\nHost: a\r\nContent-Type: application/xml\r\nAuthorization: Bearer purger\r\n"
                    + "Content-Length: 2\r\nConnection: close\r\n\r\n{}").read();
            assertThat(r.status()).isEqualTo(415);
        }
        assertThat(admin("GET", "/_strata/purge", null).status()).isEqualTo(405);
    }

    @Test
    @DisplayName("admin: GET /_strata/cache shows the store's size, hit ratio and largest objects; metrics count hits and misses")
    void adminView() throws Exception {
        origin().script("/p/large", seen -> new Origin.Reply(200, java.util.List.of("Cache-Control", "max-age=60"),
                new byte[50_000], false, false));
        get(gw(), "/p/large");
        get(gw(), "/p/large");
        RawClient.Response view = admin("GET", "/_strata/cache", null);
        assertThat(view.status()).isEqualTo(200);
        assertThat(view.text()).contains("\"routes\"").contains("\"cached\"").contains("\"hit_ratio\"")
                .contains("\"largest\":[{\"key\":\"http://cache.test/p/large\",\"bytes\":50000");
        try (RawClient c = new RawClient(env.admin())) {
            String metrics = c.send("GET /_strata/metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n").read().text();
            assertThat(metrics).contains("strata_cache_hits_total{route=\"cached\"}")
                    .contains("strata_cache_misses_total{kind=\"uri-miss\",route=\"cached\"}")
                    .contains("strata_cache_stored_bytes{route=\"cached\"}")
                    .contains("strata_cache_objects{route=\"cached\"}");
        }
    }

    @Test
    @DisplayName("configuration: the key takes the host or not, the query parameters named, and request fields named")
    void routeKey() throws Exception {
        versioned("/keyed/item");
        get(gw(), "/keyed/item?id=1&utm=a", "X-Tenant", "t1");
        assertThat(hit(get(gw(), "/keyed/item?utm=b&id=1", "X-Tenant", "t1", "Host-Ignored", "x")))
                .as("other parameters are not in the key").isTrue();
        assertThat(hit(get(gw(), "/keyed/item?id=2", "X-Tenant", "t1"))).isFalse();
        assertThat(hit(get(gw(), "/keyed/item?id=1", "X-Tenant", "t2"))).as("the field is in the key").isFalse();
    }

    @Test
    @DisplayName("configuration: a reload keeps the store, with the new settings")
    void reloadKeepsTheStore() throws Exception {
        versioned("/p/reload");
        get(gw(), "/p/reload");
        env.gateway().reload(Configs.gateway(ROUTES.replace("stale_while_revalidate: 1h", "max_ttl: 1h"),
                origin().address()));
        RawClient.Response r = get(gw(), "/p/reload");
        assertThat(hit(r)).isTrue();
        assertThat(r.text()).isEqualTo("v1");
        env.gateway().reload(Configs.gateway(ROUTES, origin().address()));
    }

    @Test
    @DisplayName("configuration: a reload that drops a route's cache lets its store go")
    void reloadDropsTheStore() throws Exception {
        versioned("/keyed/drop");
        get(gw(), "/keyed/drop?id=1");
        assertThat(admin("GET", "/_strata/cache", null).text()).contains("\"keyed\"");
        env.gateway().reload(Configs.gateway(ROUTES.replace("filters: [{cache: {key: {host: false, query: [id], headers: [X-Tenant]}}}]",
                "filters: []"), origin().address()));
        try {
            assertThat(admin("GET", "/_strata/cache", null).text()).doesNotContain("\"keyed\"");
            assertThat(get(gw(), "/keyed/drop?id=1").header("Cache-Status")).isNull();
        } finally {
            env.gateway().reload(Configs.gateway(ROUTES, origin().address()));
        }
    }
}
