package dev.strata.gateway.cache;

import static dev.strata.gateway.cache.Http.call;
import static dev.strata.gateway.cache.Http.date;
import static dev.strata.gateway.cache.Http.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.OriginAndGateway;
import dev.strata.gateway.testing.RawClient;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RFC 9111 §4.1 (Vary), §5.2.1 (request directives), §5.2.2 (response directives that force
 * validation), §4.3 (validation upstream and the client's own conditionals) and §4.4 (invalidation),
 * over real sockets.
 */
class CacheValidationTest {

    @RegisterExtension
    static final OriginAndGateway env = new OriginAndGateway("o1", """
              routes:
                - name: cached
                  path_prefix: /
                  filters: [{cache: {}}]
            """);

    private static InetSocketAddress gw() {
        return env.address();
    }

    private static Origin origin() {
        return env.origin();
    }

    private static void script(String path, String body, String... fields) {
        origin().script(path, seen -> Origin.Reply.of(200, body, fields));
    }

    private static boolean hit(RawClient.Response r) {
        return r.header("Cache-Status") != null && r.header("Cache-Status").contains("; hit");
    }

    // ------------------------------------------------------------------ §4.1 Vary

    @Test
    @DisplayName("§4.1 Vary: a response is reused only for requests with the same values of the fields it names")
    void varySelects() throws Exception {
        origin().script("/vary", seen -> Origin.Reply.of(200, "lang " + seen.header("Accept-Language"),
                "Cache-Control", "max-age=60", "Vary", "Accept-Language"));
        assertThat(get(gw(), "/vary", "Accept-Language", "en").text()).isEqualTo("lang en");
        RawClient.Response de = get(gw(), "/vary", "Accept-Language", "de");
        assertThat(de.text()).isEqualTo("lang de");
        assertThat(de.header("Cache-Status")).contains("fwd=vary-miss");
        RawClient.Response en = get(gw(), "/vary", "Accept-Language", "en");
        assertThat(hit(en)).isTrue();
        assertThat(en.text()).isEqualTo("lang en");
        assertThat(hit(get(gw(), "/vary", "Accept-Language", "de"))).as("both variants are kept").isTrue();
        assertThat(hit(get(gw(), "/vary"))).as("a request without the field is another variant").isFalse();
    }

    @Test
    @DisplayName("§4.1 Vary: values are normalised (whitespace, case where the field is case-insensitive)")
    void varyNormalises() throws Exception {
        script("/vary-norm", "x", "Cache-Control", "max-age=60", "Vary", "Accept-Encoding");
        get(gw(), "/vary-norm", "Accept-Encoding", "gzip,  BR");
        assertThat(hit(get(gw(), "/vary-norm", "Accept-Encoding", "GZIP, br"))).isTrue();
        script("/vary-case", "x", "Cache-Control", "max-age=60", "Vary", "X-Token");
        get(gw(), "/vary-case", "X-Token", "Abc");
        assertThat(hit(get(gw(), "/vary-case", "X-Token", "abc"))).as("other fields keep their case").isFalse();
    }

    @Test
    @DisplayName("§4.1 Vary: * never matches")
    void varyStar() throws Exception {
        script("/vary-star", "x", "Cache-Control", "max-age=60", "Vary", "*");
        get(gw(), "/vary-star");
        get(gw(), "/vary-star");
        assertThat(origin().seen("/vary-star")).isEqualTo(2);
    }

    // ------------------------------------------------------------------ §5.2.1 request directives

    @Test
    @DisplayName("§5.2.1.1 request max-age: a stored response older than it is not used")
    void requestMaxAge() throws Exception {
        script("/rq-maxage", "x", "Cache-Control", "max-age=3600", "Age", "100");
        get(gw(), "/rq-maxage");
        assertThat(hit(get(gw(), "/rq-maxage", "Cache-Control", "max-age=50"))).isFalse();
        assertThat(hit(get(gw(), "/rq-maxage", "Cache-Control", "max-age=1000"))).isTrue();
    }

    @Test
    @DisplayName("§5.2.1.2 request max-stale: a stale response is used within it; §5.2.2.2 must-revalidate forbids it")
    void requestMaxStale() throws Exception {
        script("/rq-stale", "x", "Cache-Control", "max-age=10", "Age", "100", "ETag", "\"s\"");
        get(gw(), "/rq-stale");
        assertThat(hit(get(gw(), "/rq-stale", "Cache-Control", "max-stale=1000"))).isTrue();
        assertThat(hit(get(gw(), "/rq-stale", "Cache-Control", "max-stale"))).isTrue();
        assertThat(hit(get(gw(), "/rq-stale", "Cache-Control", "max-stale=10"))).isFalse();
        script("/rq-stale-mr", "x", "Cache-Control", "max-age=10, must-revalidate", "Age", "100", "ETag", "\"s\"");
        get(gw(), "/rq-stale-mr");
        assertThat(hit(get(gw(), "/rq-stale-mr", "Cache-Control", "max-stale=1000"))).isFalse();
        script("/rq-stale-pr", "x", "Cache-Control", "max-age=10, proxy-revalidate", "Age", "100", "ETag", "\"s\"");
        get(gw(), "/rq-stale-pr");
        assertThat(hit(get(gw(), "/rq-stale-pr", "Cache-Control", "max-stale=1000"))).as("§5.2.2.8").isFalse();
    }

    @Test
    @DisplayName("§5.2.1.3 request min-fresh: a response fresh for less than it is not used")
    void requestMinFresh() throws Exception {
        script("/rq-minfresh", "x", "Cache-Control", "max-age=100");
        get(gw(), "/rq-minfresh");
        assertThat(hit(get(gw(), "/rq-minfresh", "Cache-Control", "min-fresh=500"))).isFalse();
        assertThat(hit(get(gw(), "/rq-minfresh", "Cache-Control", "min-fresh=10"))).isTrue();
    }

    @Test
    @DisplayName("§5.2.1.4 request no-cache and §5.4 Pragma: no-cache go to the origin; Pragma is ignored beside Cache-Control")
    void requestNoCache() throws Exception {
        script("/rq-nocache", "x", "Cache-Control", "max-age=60");
        get(gw(), "/rq-nocache");
        RawClient.Response r = get(gw(), "/rq-nocache", "Cache-Control", "no-cache");
        assertThat(r.header("Cache-Status")).contains("fwd=request");
        assertThat(hit(get(gw(), "/rq-nocache", "Pragma", "no-cache"))).isFalse();
        assertThat(hit(get(gw(), "/rq-nocache", "Pragma", "no-cache", "Cache-Control", "max-age=60"))).isTrue();
        assertThat(origin().seen("/rq-nocache")).isEqualTo(3);
    }

    @Test
    @DisplayName("§5.2.1.5 request no-store: the response is not stored")
    void requestNoStore() throws Exception {
        script("/rq-nostore", "x", "Cache-Control", "max-age=60");
        get(gw(), "/rq-nostore", "Cache-Control", "no-store");
        get(gw(), "/rq-nostore");
        assertThat(origin().seen("/rq-nostore")).isEqualTo(2);
    }

    @Test
    @DisplayName("§5.2.1.7 only-if-cached: 504 when nothing stored fits, the stored response when one does")
    void onlyIfCached() throws Exception {
        RawClient.Response none = get(gw(), "/oic", "Cache-Control", "only-if-cached");
        assertThat(none.status()).isEqualTo(504);
        assertThat(none.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(origin().seen("/oic")).isZero();
        script("/oic", "x", "Cache-Control", "max-age=60");
        get(gw(), "/oic");
        assertThat(get(gw(), "/oic", "Cache-Control", "only-if-cached").status()).isEqualTo(200);
    }

    // ------------------------------------------------------------------ §5.2.2 and §4.3 validation

    @Test
    @DisplayName("§5.2.2.4 response no-cache: every reuse is validated; a 304 serves the stored body (§4.3.3)")
    void responseNoCache() throws Exception {
        AtomicInteger n = new AtomicInteger();
        origin().script("/nc", seen -> "\"v1\"".equals(seen.header("If-None-Match"))
                ? Origin.Reply.of(304, "", "ETag", "\"v1\"", "Cache-Control", "no-cache, max-age=60", "X-Check", "" + n.incrementAndGet())
                : Origin.Reply.of(200, "stored body", "ETag", "\"v1\"", "Cache-Control", "no-cache, max-age=60"));
        get(gw(), "/nc");
        RawClient.Response r = get(gw(), "/nc");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("stored body");
        assertThat(r.header("Cache-Status")).contains("fwd=stale").contains("fwd-status=304");
        assertThat(origin().seen().get(origin().seen().size() - 1).header("If-None-Match")).isEqualTo("\"v1\"");
        assertThat(origin().seen("/nc")).isEqualTo(2);
    }

    @Test
    @DisplayName("§5.2.2.4 qualified no-cache: the named fields are not sent on a reuse without validation")
    void responseNoCacheQualified() throws Exception {
        script("/ncq", "x", "Cache-Control", "no-cache=\"X-Secret\", max-age=60", "X-Secret", "s", "X-Open", "o");
        get(gw(), "/ncq");
        RawClient.Response r = get(gw(), "/ncq");
        assertThat(hit(r)).isTrue();
        assertThat(r.header("X-Secret")).isNull();
        assertThat(r.header("X-Open")).isEqualTo("o");
    }

    @Test
    @DisplayName("§4.3.1 a stale response is validated with If-None-Match and If-Modified-Since; §4.3.4 the 304 freshens its headers")
    void validationFreshens() throws Exception {
        String lm = date(-3600);
        origin().script("/val", seen -> seen.header("If-None-Match") != null
                ? Origin.Reply.of(304, "", "ETag", "\"e1\"", "Cache-Control", "max-age=60", "X-Version", "2")
                : Origin.Reply.of(200, "payload", "ETag", "\"e1\"", "Last-Modified", lm, "Cache-Control", "max-age=0",
                        "X-Version", "1"));
        get(gw(), "/val");
        RawClient.Response validated = get(gw(), "/val");
        Origin.Seen asked = origin().seen().get(origin().seen().size() - 1);
        assertThat(asked.header("If-None-Match")).isEqualTo("\"e1\"");
        assertThat(asked.header("If-Modified-Since")).isEqualTo(lm);
        assertThat(validated.text()).isEqualTo("payload");
        assertThat(validated.header("X-Version")).isEqualTo("2");
        RawClient.Response fresh = get(gw(), "/val");
        assertThat(hit(fresh)).as("max-age=60 from the 304 now applies").isTrue();
        assertThat(fresh.header("X-Version")).isEqualTo("2");
        assertThat(fresh.text()).isEqualTo("payload");
        assertThat(origin().seen("/val")).isEqualTo(2);
    }

    @Test
    @DisplayName("§4.3.1 validation by Last-Modified alone; a 200 answer replaces the stored response")
    void validationReplaces() throws Exception {
        String lm = date(-3600);
        AtomicInteger version = new AtomicInteger();
        origin().script("/val-lm", seen -> Origin.Reply.of(200, "v" + version.incrementAndGet(),
                "Last-Modified", lm, "Cache-Control", "max-age=0"));
        get(gw(), "/val-lm");
        RawClient.Response second = get(gw(), "/val-lm");
        assertThat(origin().seen().get(origin().seen().size() - 1).header("If-Modified-Since")).isEqualTo(lm);
        assertThat(second.text()).isEqualTo("v2");
        assertThat(second.header("Cache-Status")).contains("fwd=stale").contains("fwd-status=200");
    }

    @Test
    @DisplayName("§4.3.2 a client's If-None-Match (weak comparison) and If-Modified-Since are answered 304 from the store")
    void clientConditionals() throws Exception {
        String lm = date(-3600);
        script("/cond", "body", "ETag", "W/\"w1\"", "Last-Modified", lm, "Cache-Control", "max-age=60",
                "Content-Type", "text/plain");
        get(gw(), "/cond");
        RawClient.Response inm = get(gw(), "/cond", "If-None-Match", "\"x\", \"w1\"");
        assertThat(inm.status()).isEqualTo(304);
        assertThat(inm.header("ETag")).isEqualTo("W/\"w1\"");
        assertThat(inm.header("Content-Length")).isNull();
        assertThat(inm.header("Cache-Status")).contains("hit");
        assertThat(get(gw(), "/cond", "If-None-Match", "\"other\"").status()).isEqualTo(200);
        assertThat(get(gw(), "/cond", "If-Modified-Since", date(0)).status()).isEqualTo(304);
        assertThat(get(gw(), "/cond", "If-Modified-Since", date(-7200)).status()).isEqualTo(200);
        assertThat(get(gw(), "/cond", "If-None-Match", "\"other\"", "If-Modified-Since", date(0)).status())
                .as("If-None-Match wins over If-Modified-Since").isEqualTo(200);
        assertThat(origin().seen("/cond")).isEqualTo(1);
    }

    @Test
    @DisplayName("§4.3.4 a 304 whose strong ETag names another response does not update the stored one")
    void validationOtherEtag() throws Exception {
        origin().script("/val-other", seen -> seen.header("If-None-Match") != null
                ? Origin.Reply.of(304, "", "ETag", "\"zzz\"", "Cache-Control", "max-age=60", "X-Version", "2")
                : Origin.Reply.of(200, "payload", "ETag", "\"e1\"", "Cache-Control", "max-age=0", "X-Version", "1"));
        get(gw(), "/val-other");
        RawClient.Response r = get(gw(), "/val-other");
        assertThat(r.text()).isEqualTo("payload");
        assertThat(r.header("X-Version")).isEqualTo("1");
        assertThat(hit(get(gw(), "/val-other"))).isFalse();
    }

    @Test
    @DisplayName("§3.2 a 304 does not replace the fields the stored body depends on (Content-Encoding, Content-Range, digests)")
    void validationKeepsBodyFields() throws Exception {
        origin().script("/val-body", seen -> seen.header("If-None-Match") != null
                ? Origin.Reply.of(304, "", "ETag", "\"b1\"", "Cache-Control", "max-age=60", "X-Version", "2",
                        "Content-Encoding", "x-second", "Content-MD5", "c2Vjb25k", "Content-Range", "bytes 0-1/2")
                : Origin.Reply.of(200, "payload", "ETag", "\"b1\"", "Cache-Control", "max-age=0", "X-Version", "1",
                        "Content-Encoding", "x-first", "Content-MD5", "Zmlyc3Q="));
        get(gw(), "/val-body");
        RawClient.Response validated = get(gw(), "/val-body");
        assertThat(validated.header("Cache-Status")).contains("fwd-status=304");
        RawClient.Response hit = get(gw(), "/val-body");
        assertThat(hit(hit)).isTrue();
        for (RawClient.Response r : new RawClient.Response[] {validated, hit}) {
            assertThat(r.header("X-Version")).as("other fields are updated").isEqualTo("2");
            assertThat(r.header("Content-Encoding")).isEqualTo("x-first");
            assertThat(r.header("Content-MD5")).isEqualTo("Zmlyc3Q=");
            assertThat(r.header("Content-Range")).isNull();
            assertThat(r.text()).isEqualTo("payload");
        }
    }

    @Test
    @DisplayName("§4.3.5 a HEAD response for the stored representation freshens the stored GET response")
    void headFreshens() throws Exception {
        origin().script("/head-fresh", seen -> seen.method().equals("HEAD")
                ? Origin.Reply.of(200, "", "ETag", "\"h1\"", "Cache-Control", "max-age=60", "X-Version", "2")
                : Origin.Reply.of(200, "payload", "ETag", "\"h1\"", "Cache-Control", "max-age=0", "X-Version", "1"));
        get(gw(), "/head-fresh");
        RawClient.Response head = call(gw(), "HEAD", "/head-fresh");
        assertThat(head.status()).isEqualTo(200);
        RawClient.Response r = get(gw(), "/head-fresh");
        assertThat(hit(r)).isTrue();
        assertThat(r.header("X-Version")).isEqualTo("2");
        assertThat(r.text()).isEqualTo("payload");
        origin().script("/head-other", seen -> seen.method().equals("HEAD")
                ? Origin.Reply.of(200, "", "ETag", "\"other\"", "Cache-Control", "max-age=60")
                : Origin.Reply.of(200, "payload", "ETag", "\"h1\"", "Cache-Control", "max-age=0"));
        get(gw(), "/head-other");
        call(gw(), "HEAD", "/head-other");
        assertThat(hit(get(gw(), "/head-other"))).as("another representation freshens nothing").isFalse();
    }

    // ------------------------------------------------------------------ §4.4 invalidation

    @Test
    @DisplayName("§4.4 an unsafe request that succeeds invalidates its target, Location and Content-Location on the same host")
    void invalidation() throws Exception {
        for (String p : new String[] {"/inv", "/inv-loc", "/inv-cl", "/inv-other"}) {
            script(p, "x", "Cache-Control", "max-age=60");
            get(gw(), p);
        }
        origin().script("/inv-post", seen -> Origin.Reply.of(201, "", "Location", "/inv-loc",
                "Content-Location", "http://cache.test/inv-cl"));
        call(gw(), "POST", "/inv");
        assertThat(hit(get(gw(), "/inv"))).as("a POST's 200 invalidates its target").isFalse();
        call(gw(), "POST", "/inv-post");
        assertThat(hit(get(gw(), "/inv-loc"))).isFalse();
        assertThat(hit(get(gw(), "/inv-cl"))).isFalse();
        assertThat(hit(get(gw(), "/inv-other"))).isTrue();
        origin().script("/inv-foreign", seen -> Origin.Reply.of(200, "", "Location", "http://elsewhere.test/inv-other"));
        call(gw(), "DELETE", "/inv-foreign");
        assertThat(hit(get(gw(), "/inv-other"))).as("another host's URL stays").isTrue();
    }

    @Test
    @DisplayName("§4.4 an unsafe request answered with an error invalidates nothing")
    void noInvalidationOnError() throws Exception {
        script("/inv-err", "x", "Cache-Control", "max-age=60");
        get(gw(), "/inv-err");
        origin().script("/inv-err", seen -> seen.method().equals("PUT") ? Origin.Reply.of(500, "no")
                : Origin.Reply.of(200, "x", "Cache-Control", "max-age=60"));
        call(gw(), "PUT", "/inv-err");
        assertThat(hit(get(gw(), "/inv-err"))).isTrue();
    }
}
