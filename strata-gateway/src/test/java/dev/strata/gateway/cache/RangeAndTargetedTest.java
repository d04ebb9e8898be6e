package dev.strata.gateway.cache;

import static dev.strata.gateway.cache.Http.date;
import static dev.strata.gateway.cache.Http.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.OriginAndGateway;
import dev.strata.gateway.testing.RawClient;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Range requests answered from a stored full response (RFC 9110 §14), and targeted cache control (RFC 9213,
 * and Surrogate-Control before it).
 */
class RangeAndTargetedTest {

    @RegisterExtension
    static final OriginAndGateway env = new OriginAndGateway("o1", """
              routes:
                - name: strip
                  path_prefix: /strip
                  filters: [{cache: {strip_targeted: true}}]
                - name: cached
                  path_prefix: /
                  filters: [{cache: {}}]
            """);

    private static InetSocketAddress gw() {
        return env.address();
    }

    private static boolean hit(RawClient.Response r) {
        return r.header("Cache-Status") != null && r.header("Cache-Status").contains("; hit");
    }

    @Test
    @DisplayName("§3.4 / RFC 9110 §14.2 a Range request is answered 206 with one range from the stored full response")
    void rangeFromStore() throws Exception {
        env.origin().script("/r", seen -> Origin.Reply.of(200, "0123456789", "Cache-Control", "max-age=60",
                "ETag", "\"r1\""));
        get(gw(), "/r");
        RawClient.Response part = get(gw(), "/r", "Range", "bytes=2-5");
        assertThat(part.status()).isEqualTo(206);
        assertThat(part.text()).isEqualTo("2345");
        assertThat(part.header("Content-Range")).isEqualTo("bytes 2-5/10");
        assertThat(part.header("Content-Length")).isEqualTo("4");
        assertThat(get(gw(), "/r", "Range", "bytes=-3").text()).isEqualTo("789");
        assertThat(get(gw(), "/r", "Range", "bytes=7-").text()).isEqualTo("789");
        assertThat(get(gw(), "/r", "Range", "bytes=0-1,4-5").status()).as("several ranges: the whole").isEqualTo(200);
        assertThat(get(gw(), "/r", "Range", "bytes=2-5", "If-Range", "\"r1\"").status()).isEqualTo(206);
        assertThat(get(gw(), "/r", "Range", "bytes=2-5", "If-Range", "\"old\"").status()).isEqualTo(200);
        assertThat(env.origin().seen("/r")).isEqualTo(1);
    }

    @Test
    @DisplayName("RFC 9110 §15.5.17 a range the stored response cannot satisfy is 416 with its length")
    void unsatisfiable() throws Exception {
        env.origin().script("/r416", seen -> Origin.Reply.of(200, "0123456789", "Cache-Control", "max-age=60"));
        get(gw(), "/r416");
        RawClient.Response r = get(gw(), "/r416", "Range", "bytes=20-30");
        assertThat(r.status()).isEqualTo(416);
        assertThat(r.header("Content-Range")).isEqualTo("bytes */10");
        assertThat(r.header("Content-Type")).isEqualTo("application/problem+json");
    }

    @Test
    @DisplayName("§3.3 a partial response (206) from the origin passes through and is not stored")
    void partialPasses() throws Exception {
        env.origin().script("/r206", seen -> Origin.Reply.of(206, "23", "Cache-Control", "max-age=60",
                "Content-Range", "bytes 2-3/10"));
        RawClient.Response r = get(gw(), "/r206", "Range", "bytes=2-3");
        assertThat(r.status()).isEqualTo(206);
        get(gw(), "/r206", "Range", "bytes=2-3");
        assertThat(env.origin().seen("/r206")).isEqualTo(2);
    }

    @Test
    @DisplayName("RFC 9213 §2.2 Strata-Cache-Control, then CDN-Cache-Control, take precedence over Cache-Control")
    void targetedPrecedence() throws Exception {
        env.origin().script("/t1", seen -> Origin.Reply.of(200, "x", "Cache-Control", "no-store",
                "Strata-Cache-Control", "max-age=60"));
        get(gw(), "/t1");
        RawClient.Response r = get(gw(), "/t1");
        assertThat(hit(r)).isTrue();
        assertThat(r.header("Strata-Cache-Control")).as("kept unless configured").isEqualTo("max-age=60");
        env.origin().script("/t2", seen -> Origin.Reply.of(200, "x", "Cache-Control", "max-age=60",
                "CDN-Cache-Control", "no-store"));
        get(gw(), "/t2");
        get(gw(), "/t2");
        assertThat(env.origin().seen("/t2")).isEqualTo(2);
        env.origin().script("/t3", seen -> Origin.Reply.of(200, "x", "CDN-Cache-Control", "no-store",
                "Strata-Cache-Control", "max-age=60", "Expires", "0"));
        get(gw(), "/t3");
        assertThat(hit(get(gw(), "/t3"))).as("the most specific field wins, and Expires is ignored").isTrue();
    }

    @Test
    @DisplayName("Surrogate-Control (Edge Architecture 1.0) is read after CDN-Cache-Control, and aimed at the cache by its token")
    void surrogateControl() throws Exception {
        env.origin().script("/sc1", seen -> Origin.Reply.of(200, "x", "Cache-Control", "no-store",
                "Surrogate-Control", "max-age=60"));
        get(gw(), "/sc1");
        assertThat(hit(get(gw(), "/sc1"))).as("over Cache-Control").isTrue();
        assertThat(env.origin().seen().get(env.origin().seen().size() - 1).header("Surrogate-Capability"))
                .as("the cache names its token upstream").isEqualTo("strata=\"Surrogate/1.0\"");
        env.origin().script("/sc2", seen -> Origin.Reply.of(200, "x", "Cache-Control", "max-age=60",
                "Expires", date(3600), "Surrogate-Control", "no-store"));
        get(gw(), "/sc2");
        get(gw(), "/sc2");
        assertThat(env.origin().seen("/sc2")).isEqualTo(2);
        env.origin().script("/sc3", seen -> Origin.Reply.of(200, "x", "Surrogate-Control", "no-store",
                "CDN-Cache-Control", "max-age=60"));
        get(gw(), "/sc3");
        assertThat(hit(get(gw(), "/sc3"))).as("CDN-Cache-Control comes first").isTrue();
        env.origin().script("/sc4", seen -> Origin.Reply.of(200, "x", "Cache-Control", "max-age=60",
                "Surrogate-Control", "max-age=0;other-device, max-age=120+30;strata"));
        get(gw(), "/sc4");
        RawClient.Response mine = get(gw(), "/sc4");
        assertThat(hit(mine)).isTrue();
        assertThat(mine.header("Cache-Status")).as("the directive aimed at this cache, without the +30")
                .matches(".*ttl=(1[01]\\d|120)\\b.*");
        env.origin().script("/sc5", seen -> Origin.Reply.of(200, "x", "Cache-Control", "max-age=60",
                "Surrogate-Control", "no-store;other-device"));
        get(gw(), "/sc5");
        assertThat(hit(get(gw(), "/sc5"))).as("a directive for another device is not this cache's").isTrue();
        env.origin().script("/strip/sc", seen -> Origin.Reply.of(200, "x", "Surrogate-Control", "max-age=60"));
        assertThat(get(gw(), "/strip/sc").header("Surrogate-Control")).isNull();
    }

    @Test
    @DisplayName("RFC 9213 targeted fields are removed from the client's response where the route says so")
    void targetedStripped() throws Exception {
        env.origin().script("/strip/t", seen -> Origin.Reply.of(200, "x", "CDN-Cache-Control", "max-age=60",
                "Strata-Cache-Control", "max-age=60", "Cache-Control", "max-age=5"));
        RawClient.Response first = get(gw(), "/strip/t");
        assertThat(first.header("CDN-Cache-Control")).isNull();
        assertThat(first.header("Strata-Cache-Control")).isNull();
        assertThat(first.header("Cache-Control")).isEqualTo("max-age=5");
        RawClient.Response hit = get(gw(), "/strip/t");
        assertThat(hit(hit)).isTrue();
        assertThat(hit.header("CDN-Cache-Control")).isNull();
        assertThat(hit.header("Strata-Cache-Control")).isNull();
    }
}
