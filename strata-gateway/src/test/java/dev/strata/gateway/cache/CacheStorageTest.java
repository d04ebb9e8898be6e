package dev.strata.gateway.cache;

import static dev.strata.gateway.cache.Http.date;
import static dev.strata.gateway.cache.Http.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.testing.Await;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.OriginAndGateway;
import dev.strata.gateway.testing.RawClient;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RFC 9111 §3 and §4.2 over real sockets: what a shared cache stores, how long it is fresh, the Age it
 * reports, Cache-Status (RFC 9211), and the memory rules (object size, bodies streamed, fills that
 * outlive their client).
 */
class CacheStorageTest {

    @RegisterExtension
    static final OriginAndGateway env = new OriginAndGateway("o1", """
              routes:
                - name: small
                  path_prefix: /small
                  filters: [{cache: {max_object_size: 1KiB}}]
                - name: strip
                  path_prefix: /strip
                  filters: [{cache: {set_cookie: strip}}]
                - name: heuristic
                  path_prefix: /heuristic
                  filters: [{cache: {heuristic_fraction: 0.1}}]
                - name: off
                  path_prefix: /off
                  filters: [{cache: {enabled: false}}]
                - name: cached
                  path_prefix: /
                  filters: [{cache: {debug: true}}]
            """);

    private static InetSocketAddress gw() {
        return env.address();
    }

    private static Origin origin() {
        return env.origin();
    }

    /** Scripts {@code path} to answer 200 with {@code body} and {@code fields}. */
    private static void script(String path, String body, String... fields) {
        origin().script(path, seen -> Origin.Reply.of(200, body, fields));
    }

    /** Two GETs of {@code path}; returns the second response. */
    private static RawClient.Response twice(String path, String... headers) throws IOException {
        get(gw(), path, headers);
        return get(gw(), path, headers);
    }

    @Test
    @DisplayName("§3 a 200 with max-age is stored: the second client gets it from the store with its body")
    void storesFreshResponse() throws Exception {
        script("/fresh", "hello", "Cache-Control", "max-age=60");
        RawClient.Response first = get(gw(), "/fresh");
        assertThat(first.header("Cache-Status")).contains("fwd=uri-miss").contains("fwd-status=200").contains("stored");
        RawClient.Response second = get(gw(), "/fresh");
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.text()).isEqualTo("hello");
        assertThat(second.header("Cache-Status")).startsWith("Strata; hit; ttl=").contains("key=\"http://cache.test/fresh\"");
        assertThat(second.header("Age")).isNotNull();
        assertThat(origin().seen("/fresh")).isEqualTo(1);
    }

    @Test
    @DisplayName("§3 (RFC 9211) Cache-Status and Age are on every response through the cache")
    void everyResponseIsMarked() throws Exception {
        RawClient.Response post = Http.call(gw(), "POST", "/plain");
        assertThat(post.header("Cache-Status")).isEqualTo("Strata; fwd=method; fwd-status=200");
        assertThat(post.header("Age")).isEqualTo("0");
        RawClient.Response off = get(gw(), "/off/x");
        assertThat(off.header("Cache-Status")).isEqualTo("Strata; fwd=bypass; fwd-status=200");
    }

    @Test
    @DisplayName("§3 / §5.2.2.5 a no-store response is not stored")
    void noStore() throws Exception {
        script("/nostore", "x", "Cache-Control", "max-age=60, no-store");
        assertThat(twice("/nostore").header("Cache-Status")).contains("fwd=uri-miss").doesNotContain("stored");
        assertThat(origin().seen("/nostore")).isEqualTo(2);
    }

    @Test
    @DisplayName("§3 / §5.2.2.7 private is not stored by a shared cache; private=\"field\" stores the rest")
    void privateResponses() throws Exception {
        script("/private", "x", "Cache-Control", "private, max-age=60");
        twice("/private");
        assertThat(origin().seen("/private")).isEqualTo(2);
        script("/private-field", "x", "Cache-Control", "private=\"X-User\", max-age=60", "X-User", "alice");
        RawClient.Response hit = twice("/private-field");
        assertThat(hit.header("Cache-Status")).contains("hit");
        assertThat(hit.header("X-User")).isNull();
        assertThat(origin().seen("/private-field")).isEqualTo(1);
    }

    @Test
    @DisplayName("§5.2.2.3 must-understand lets an understood status be stored despite no-store; an unknown one never")
    void mustUnderstand() throws Exception {
        script("/mu", "x", "Cache-Control", "must-understand, no-store, max-age=60");
        assertThat(twice("/mu").header("Cache-Status")).contains("hit");
        origin().script("/mu-299", seen -> Origin.Reply.of(299, "x", "Cache-Control", "must-understand, max-age=60"));
        twice("/mu-299");
        assertThat(origin().seen("/mu-299")).isEqualTo(2);
    }

    @Test
    @DisplayName("§3.5 a request with Authorization is stored only with must-revalidate, public or s-maxage")
    void authorization() throws Exception {
        script("/auth", "x", "Cache-Control", "max-age=60");
        twice("/auth", "Authorization", "Bearer a");
        assertThat(origin().seen("/auth")).isEqualTo(2);
        for (String cc : new String[] {"public, max-age=60", "s-maxage=60", "must-revalidate, max-age=60"}) {
            String path = "/auth-" + cc.hashCode();
            script(path, "x", "Cache-Control", cc);
            assertThat(twice(path, "Authorization", "Bearer a").header("Cache-Status")).as(cc).contains("hit");
        }
    }

    @Test
    @DisplayName("§3 a response with Set-Cookie is not stored unless the route allows it, and then without the cookie")
    void setCookie() throws Exception {
        script("/cookie", "x", "Cache-Control", "max-age=60", "Set-Cookie", "s=1");
        twice("/cookie");
        assertThat(origin().seen("/cookie")).isEqualTo(2);
        script("/strip/cookie", "x", "Cache-Control", "max-age=60", "Set-Cookie", "s=1");
        RawClient.Response first = get(gw(), "/strip/cookie");
        assertThat(first.header("Set-Cookie")).as("the first client still gets its cookie").isEqualTo("s=1");
        RawClient.Response hit = get(gw(), "/strip/cookie");
        assertThat(hit.header("Cache-Status")).contains("hit");
        assertThat(hit.header("Set-Cookie")).isNull();
    }

    @Test
    @DisplayName("§4.2.1 s-maxage takes precedence over max-age for a shared cache")
    void sMaxAgeFirst() throws Exception {
        script("/smax-fresh", "x", "Cache-Control", "max-age=0, s-maxage=60");
        assertThat(twice("/smax-fresh").header("Cache-Status")).contains("hit");
        script("/smax-stale", "x", "Cache-Control", "max-age=60, s-maxage=0");
        twice("/smax-stale");
        assertThat(origin().seen("/smax-stale")).isEqualTo(2);
    }

    @Test
    @DisplayName("§4.2.1 Expires minus Date gives the lifetime; an invalid Expires means stale")
    void expires() throws Exception {
        script("/expires", "x", "Date", date(0), "Expires", date(60));
        assertThat(twice("/expires").header("Cache-Status")).contains("hit");
        script("/expires-past", "x", "Date", date(0), "Expires", date(-60), "ETag", "\"a\"");
        twice("/expires-past");
        assertThat(origin().seen("/expires-past")).isEqualTo(2);
        script("/expires-bad", "x", "Expires", "0", "ETag", "\"a\"");
        twice("/expires-bad");
        assertThat(origin().seen("/expires-bad")).isEqualTo(2);
        script("/expires-over", "x", "Cache-Control", "max-age=0", "Expires", date(60), "ETag", "\"a\"");
        twice("/expires-over");
        assertThat(origin().seen("/expires-over")).as("max-age overrides Expires").isEqualTo(2);
    }

    @Test
    @DisplayName("§4.2.2 heuristic freshness is off by default and a configured fraction of the Last-Modified age")
    void heuristic() throws Exception {
        script("/lm", "x", "Last-Modified", date(-36000));
        twice("/lm");
        assertThat(origin().seen("/lm")).isEqualTo(2);
        script("/heuristic/lm", "x", "Last-Modified", date(-36000));
        assertThat(twice("/heuristic/lm").header("Cache-Status")).contains("hit");
        origin().script("/heuristic/302", seen -> Origin.Reply.of(302, "", "Location", "/x", "Last-Modified", date(-36000)));
        twice("/heuristic/302");
        assertThat(origin().seen("/heuristic/302")).as("302 is not heuristically cacheable").isEqualTo(2);
    }

    @Test
    @DisplayName("§3 heuristically cacheable statuses (RFC 9110 §15.1) with explicit freshness are stored: 301, 404, 410")
    void otherStatuses() throws Exception {
        for (int status : new int[] {301, 404, 410}) {
            String path = "/status-" + status;
            origin().script(path, seen -> Origin.Reply.of(status, "gone", "Cache-Control", "max-age=60"));
            RawClient.Response hit = twice(path);
            assertThat(hit.status()).isEqualTo(status);
            assertThat(hit.header("Cache-Status")).as("status " + status).contains("hit");
        }
        origin().script("/status-206", seen -> Origin.Reply.of(206, "part", "Cache-Control", "max-age=60",
                "Content-Range", "bytes 0-3/10"));
        twice("/status-206");
        assertThat(origin().seen("/status-206")).as("a partial response passes uncached").isEqualTo(2);
    }

    @Test
    @DisplayName("§4.2.3 Age on a hit adds the upstream's Age and the time resident; an old Age makes it stale")
    void age() throws Exception {
        script("/aged", "x", "Cache-Control", "max-age=3600", "Age", "100");
        RawClient.Response first = get(gw(), "/aged");
        assertThat(Long.parseLong(first.header("Age"))).isGreaterThanOrEqualTo(100);
        RawClient.Response hit = get(gw(), "/aged");
        assertThat(hit.header("Cache-Status")).contains("hit");
        assertThat(hit.headers("Age")).hasSize(1);
        assertThat(Long.parseLong(hit.header("Age"))).isBetween(100L, 3600L);
        assertThat(hit.header("Cache-Status")).matches(".*ttl=(3[45]\\d\\d)\\b.*");
        script("/too-old", "x", "Cache-Control", "max-age=60", "Age", "100", "ETag", "\"e\"");
        twice("/too-old");
        assertThat(origin().seen("/too-old")).isEqualTo(2);
    }

    @Test
    @DisplayName("§5.1 an Age given as a list counts by its first member; an Age that is not a number is ignored")
    void ageList() throws Exception {
        script("/age-list-old", "x", "Cache-Control", "max-age=3600", "Age", "7200, 0");
        twice("/age-list-old");
        assertThat(origin().seen("/age-list-old")).as("7200 counts: stale on arrival").isEqualTo(2);
        script("/age-list-young", "x", "Cache-Control", "max-age=3600", "Age", "0, 7200");
        assertThat(twice("/age-list-young").header("Cache-Status")).contains("hit");
        script("/age-invalid", "x", "Cache-Control", "max-age=3600", "Age", "abc");
        RawClient.Response hit = twice("/age-invalid");
        assertThat(hit.header("Cache-Status")).contains("hit");
        assertThat(Long.parseLong(hit.header("Age"))).isLessThan(60);
    }

    @Test
    @DisplayName("§4.2.3 a hit keeps the stored Date; a response without one is stored with the time it arrived")
    void storedDate() throws Exception {
        String stamp = Http.date(-5);
        script("/dated", "x", "Cache-Control", "max-age=60", "Date", stamp);
        RawClient.Response hit = twice("/dated");
        assertThat(hit.header("Cache-Status")).contains("hit");
        assertThat(hit.headers("Date")).hasSize(1);
    }

    @Test
    @DisplayName("§4.3.5 / §9.3.2 HEAD is answered from a stored GET, with the stored length and no body")
    void headFromGet() throws Exception {
        script("/head", "0123456789", "Cache-Control", "max-age=60");
        get(gw(), "/head");
        RawClient.Response head = Http.call(gw(), "HEAD", "/head");
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.header("Content-Length")).isEqualTo("10");
        assertThat(head.header("Cache-Status")).contains("hit");
        assertThat(origin().seen("/head")).isEqualTo(1);
        RawClient.Response headMiss = Http.call(gw(), "HEAD", "/head-only");
        assertThat(headMiss.header("Cache-Status")).contains("fwd=uri-miss");
    }

    @Test
    @DisplayName("storage: a body above max_object_size streams through uncached, with or without a length")
    void maxObjectSize() throws Exception {
        byte[] big = new byte[4096];
        Arrays.fill(big, (byte) 'b');
        origin().script("/small/big", seen -> new Origin.Reply(200, java.util.List.of("Cache-Control", "max-age=60"),
                big, false, false));
        RawClient.Response r = twice("/small/big");
        assertThat(r.bodyLength()).isEqualTo(4096);
        assertThat(origin().seen("/small/big")).isEqualTo(2);
        origin().script("/small/big-chunked", seen -> new Origin.Reply(200,
                java.util.List.of("Cache-Control", "max-age=60"), big, true, false));
        RawClient.Response c = twice("/small/big-chunked");
        assertThat(c.bodyLength()).isEqualTo(4096);
        assertThat(origin().seen("/small/big-chunked")).isEqualTo(2);
        origin().script("/small/chunked", seen -> Origin.Reply.of(200, "small", "Cache-Control", "max-age=60").inChunks());
        RawClient.Response s = twice("/small/chunked");
        assertThat(s.text()).isEqualTo("small");
        assertThat(s.header("Cache-Status")).contains("hit");
        assertThat(s.header("Content-Length")).isEqualTo("5");
    }

    @Test
    @DisplayName("storage: a fill goes on after its client left, and the next client gets the stored copy")
    void fillOutlivesClient() throws Exception {
        byte[] body = new byte[200_000];
        Arrays.fill(body, (byte) 'h');
        origin().script("/held-fill", seen -> new Origin.Reply(200, java.util.List.of("Cache-Control", "max-age=60"),
                body, true, true));
        int started = origin().heldStarted();
        try (RawClient c = new RawClient(gw())) {
            c.send("GET /held-fill HTTP/1.1\r\nHost: cache.test\r\n\r\n");
            Await.until(() -> origin().heldStarted() > started);
            c.socket().getInputStream().read();
        }
        origin().releaseHeld();
        Await.until(() -> {
            try {
                return get(gw(), "/held-fill", "Cache-Control", "only-if-cached").status() == 200;
            } catch (IOException e) {
                return false;
            }
        });
        RawClient.Response hit = get(gw(), "/held-fill");
        assertThat(hit.bodyLength()).isEqualTo(body.length);
        assertThat(origin().seen("/held-fill")).isEqualTo(1);
    }

    @Test
    @DisplayName("§4 the key is the target: another query is another entry")
    void keyIncludesQuery() throws Exception {
        script("/q", "x", "Cache-Control", "max-age=60");
        get(gw(), "/q?a=1");
        get(gw(), "/q?a=2");
        assertThat(get(gw(), "/q?a=1").header("Cache-Status")).contains("hit");
        assertThat(origin().seen("/q")).isEqualTo(2);
    }
}
