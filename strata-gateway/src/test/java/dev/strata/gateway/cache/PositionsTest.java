package dev.strata.gateway.cache;

import static dev.strata.gateway.cache.Http.call;
import static dev.strata.gateway.cache.Http.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.OriginAndGateway;
import dev.strata.gateway.testing.RawClient;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code cache.positions} over real sockets, with an origin that stands for a service over a primary and a
 * replica that lags: a read without a token answers the replica's data and position, a read with a token
 * (or the replica caught up) the primary's. The purge of a write fences its tag against reads made before
 * it, a token is never answered from a stored response older than its write, and the position field never
 * reaches a client.
 */
class PositionsTest {

    private static final String POSITION = "Strata-Data-Position";

    @RegisterExtension
    static final OriginAndGateway env = new OriginAndGateway("o1", """
              routes:
                - name: links
                  path_prefix: /
                  filters:
                    - cache:
                        positions:
                          header: Strata-Data-Position
                          token: ['header:Strata-Consistency', 'cookie:strata_consistency']
                          fence_window: 60s
            """);

    /** What the primary and the lagging replica hold: the URL and the position it was written at. */
    record Data(String url, String position) {}

    private final AtomicReference<Data> primary = new AtomicReference<>(new Data("https://example.org/old", "0/100"));
    private final AtomicReference<Data> replica = new AtomicReference<>(primary.get());

    static String token(long position, long expiresInSeconds) {
        return "1." + String.format("%016x", position) + "." + (System.currentTimeMillis() / 1000 + expiresInSeconds)
                + ".not-verified-by-the-gateway";
    }

    private static int codes;
    private String code;

    @BeforeEach
    void script() {
        code = "C" + (++codes);
        String tag = "link-" + code;
        env.origin().script("/" + code, seen -> {
            boolean token = seen.header("Strata-Consistency") != null || seen.header("Cookie") != null;
            Data d = token ? primary.get() : replica.get();
            return Origin.Reply.of(302, "", "Location", d.url(), "Cache-Control", "public, max-age=600",
                    "Surrogate-Key", tag, POSITION, d.position());
        });
        env.origin().script("/api/links/" + code, seen -> {
            primary.set(new Data("https://example.org/new", "0/200"));
            return Origin.Reply.of(200, "{}", "Cache-Control", "no-store", "Strata-Invalidate-Tags", tag,
                    POSITION, "0/200", "Strata-Consistency", token(0x200, 60));
        });
    }

    private RawClient.Response onlyIfCached() throws Exception {
        return get(env.address(), "/" + code, "Cache-Control", "only-if-cached");
    }

    @Test
    @DisplayName("after a PUT, a read from the lagging replica is answered but not stored; once it caught up, the new one is")
    void aReadBeforeThePurgesWriteIsNotStored() throws Exception {
        assertThat(get(env.address(), "/" + code).header("Location")).isEqualTo("https://example.org/old");
        assertThat(onlyIfCached().header("Location")).as("stored").isEqualTo("https://example.org/old");

        RawClient.Response put = call(env.address(), "PUT", "/api/links/" + code);
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.header(POSITION)).as("the client never sees it").isNull();

        RawClient.Response lagging = get(env.address(), "/" + code);
        assertThat(lagging.header("Location")).as("the replica has not replayed the write").isEqualTo("https://example.org/old");
        assertThat(lagging.header(POSITION)).isNull();
        assertThat(lagging.header("Cache-Status")).doesNotContain("stored");
        assertThat(onlyIfCached().status()).as("the cache does not hold the old URL after the purge").isEqualTo(504);

        try (RawClient c = new RawClient(env.admin())) {
            String view = c.send("GET /_strata/cache HTTP/1.1\r\nHost: admin\r\nConnection: close\r\n\r\n").read().text();
            assertThat(view).contains("\"fences\":").contains("\"fenced\":");
        }
        replica.set(primary.get());
        assertThat(get(env.address(), "/" + code).header("Location")).isEqualTo("https://example.org/new");
        RawClient.Response hit = onlyIfCached();
        assertThat(hit.header("Location")).isEqualTo("https://example.org/new");
        assertThat(hit.header(POSITION)).as("not stored for a client to see").isNull();
    }

    @Test
    @DisplayName("a request whose token names a later write than the stored response is a miss, by header or cookie")
    void aTokenIsNotAnsweredFromAnOlderStoredResponse() throws Exception {
        get(env.address(), "/" + code);
        assertThat(onlyIfCached().header("Location")).isEqualTo("https://example.org/old");
        // the write went through another way (its purge has not come here): the primary has it
        primary.set(new Data("https://example.org/new", "0/200"));
        long before = env.origin().seen("/" + code);

        RawClient.Response byHeader = get(env.address(), "/" + code, "Strata-Consistency", token(0x200, 60));
        assertThat(byHeader.header("Location")).isEqualTo("https://example.org/new");
        assertThat(byHeader.header("Cache-Status")).contains("fwd=request");
        assertThat(env.origin().seen("/" + code)).isEqualTo(before + 1);

        // the token's read was stored (at 0/200): now it answers a token for 0/200 and older from the store
        RawClient.Response hit = get(env.address(), "/" + code, "Strata-Consistency", token(0x200, 60));
        assertThat(hit.header("Cache-Status")).contains("hit");
        assertThat(hit.header("Location")).isEqualTo("https://example.org/new");
        assertThat(get(env.address(), "/" + code, "Strata-Consistency", token(0x150, 60)).header("Cache-Status"))
                .contains("hit");

        primary.set(new Data("https://example.org/newer", "0/300"));
        RawClient.Response byCookie = get(env.address(), "/" + code, "Cookie", "a=b; strata_consistency="
                + token(0x300, 60));
        assertThat(byCookie.header("Cache-Status")).contains("fwd=request");
        assertThat(byCookie.header("Location")).isEqualTo("https://example.org/newer");
    }

    @Test
    @DisplayName("an expired, malformed or over-long token asks for nothing: the stored response answers")
    void tokensThatNameNothingAreIgnored() throws Exception {
        get(env.address(), "/" + code);
        for (String t : new String[] {token(0x900, -5), "1.zz.1.x", "2." + String.format("%016x", 0x900) + ".9999999999.m",
                "1." + "f".repeat(16) + ".9999999999.m", "1." + String.format("%016x", 0x900) + ".9999999999." + "m".repeat(200),
                ""}) {
            RawClient.Response r = get(env.address(), "/" + code, "Strata-Consistency", t);
            assertThat(r.header("Cache-Status")).as(t).contains("hit");
        }
    }

    @Test
    @DisplayName("a response without a position is not stored once its tag is fenced, and is older than any token")
    void noPositionIsOld() throws Exception {
        env.origin().script("/Zz9", seen -> Origin.Reply.of(302, "", "Location", "https://example.org/z",
                "Cache-Control", "public, max-age=600", "Surrogate-Key", "link-Zz9"));
        get(env.address(), "/Zz9");
        assertThat(get(env.address(), "/Zz9").header("Cache-Status")).as("no fence yet: stored").contains("hit");
        assertThat(get(env.address(), "/Zz9", "Strata-Consistency", token(1, 60)).header("Cache-Status"))
                .contains("fwd=request");
        env.origin().script("/api/links/Zz9", seen -> Origin.Reply.of(204, "", "Strata-Invalidate-Tags", "link-Zz9",
                POSITION, "0/300"));
        call(env.address(), "DELETE", "/api/links/Zz9");
        get(env.address(), "/Zz9");
        assertThat(get(env.address(), "/Zz9", "Cache-Control", "only-if-cached").status()).isEqualTo(504);
    }

    @Test
    void positionsParseAsPostgresWritesThem() {
        assertThat(Positions.parse("0/100")).isEqualTo(0x100);
        assertThat(Positions.parse("16/B374D848")).isEqualTo(0x16B374D848L);
        assertThat(Positions.format(0x16B374D848L)).isEqualTo("16/B374D848");
        for (String bad : new String[] {null, "", "/1", "1/", "123456789/1", "1/123456789", "g/1", "1/\uff10",
                "80000000/0", "1//2", "-1/2"}) {
            assertThat(Positions.parse(bad)).as(bad).isEqualTo(Positions.NONE);
        }
    }
}
