package dev.strata.gateway.cache;

import static dev.strata.gateway.cache.Http.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.testing.Await;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.OriginAndGateway;
import dev.strata.gateway.testing.RawClient;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RFC 5861 over real sockets: stale-while-revalidate serves a stale copy and revalidates it in the
 * background; stale-if-error serves one when the origin answers 5xx, times out or is down, within the
 * window, and the error after it. A response's age is set with {@code Age} so no test waits for time to pass.
 */
class StaleTest {

    @RegisterExtension
    final OriginAndGateway env = new OriginAndGateway("o1", """
              timeouts: {upstream_first_byte: 1s}
              routes:
                - name: defaults
                  path_prefix: /defaults
                  filters: [{cache: {stale_if_error: 1h, stale_while_revalidate: 0s}}]
                - name: cached
                  path_prefix: /
                  filters: [{cache: {}}]
            """);

    private Origin origin() {
        return env.origin();
    }

    private RawClient.Response call(String path, String... headers) throws IOException {
        return get(env.address(), path, headers);
    }

    /** The path answers {@code first} once, then {@code then}. */
    private void firstThen(String path, Origin.Reply first, Origin.Reply then) {
        AtomicInteger n = new AtomicInteger();
        origin().script(path, seen -> n.incrementAndGet() == 1 ? first : then);
    }

    @Test
    @DisplayName("RFC 5861 §4 stale-if-error: a 5xx from the origin gets the stale copy within the window, the error after it")
    void staleIfErrorOn5xx() throws Exception {
        firstThen("/sie", Origin.Reply.of(200, "old", "Cache-Control", "max-age=60, stale-if-error=3600", "Age", "100"),
                Origin.Reply.of(500, "broken"));
        call("/sie");
        RawClient.Response r = call("/sie");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("old");
        assertThat(r.header("Cache-Status")).contains("fwd=stale").contains("fwd-status=500").contains("stale-if-error");
        firstThen("/sie-late", Origin.Reply.of(200, "old", "Cache-Control", "max-age=60, stale-if-error=10", "Age", "100"),
                Origin.Reply.of(503, "broken"));
        call("/sie-late");
        assertThat(call("/sie-late").status()).as("40s stale, past the 10s window").isEqualTo(503);
    }

    @Test
    @DisplayName("RFC 5861 §4 stale-if-error and must-revalidate (RFC 9111 §4.2.4): no stale copy")
    void mustRevalidateForbidsStale() throws Exception {
        firstThen("/sie-mr", Origin.Reply.of(200, "old", "Cache-Control", "max-age=60, stale-if-error=3600, must-revalidate",
                "Age", "100"), Origin.Reply.of(500, "broken"));
        call("/sie-mr");
        assertThat(call("/sie-mr").status()).isEqualTo(500);
    }

    @Test
    @DisplayName("RFC 5861 §4 stale-if-error as the route's default; the origin timing out (504) gets the stale copy")
    void routeDefaultAndTimeout() throws Exception {
        firstThen("/defaults/slow", Origin.Reply.of(200, "old", "Cache-Control", "max-age=1", "Age", "100", "ETag", "\"a\""),
                null);
        call("/defaults/slow");
        origin().script("/defaults/slow", seen -> {
            try {
                Thread.sleep(3000); // beyond upstream_first_byte
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return Origin.Reply.of(200, "late");
        });
        RawClient.Response r = call("/defaults/slow");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.text()).isEqualTo("old");
        assertThat(r.header("Cache-Status")).contains("fwd-status=504");
    }

    @Test
    @DisplayName("RFC 5861 §4 stale-if-error: an origin that is down gets the stale copy within the window, the gateway's error after it")
    void originDown() throws Exception {
        origin().script("/down", seen -> Origin.Reply.of(200, "old", "Cache-Control", "max-age=60, stale-if-error=3600",
                "Age", "100"));
        origin().script("/down-late", seen -> Origin.Reply.of(200, "old", "Cache-Control", "max-age=60, stale-if-error=5",
                "Age", "100"));
        call("/down");
        call("/down-late");
        origin().stop();
        try {
            RawClient.Response r = call("/down");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("old");
            // refused connections: the gateway's own 503 (nothing reachable), which the stale copy replaces
            assertThat(r.header("Cache-Status")).containsPattern("fwd-status=50[23]");
            assertThat(call("/down-late").status()).isIn(502, 503);
            assertThat(call("/never-stored").status()).isIn(502, 503);
        } finally {
            origin().start();
        }
    }

    @Test
    @DisplayName("RFC 5861 §3 stale-while-revalidate: the stale copy is served at once and refreshed in the background")
    void staleWhileRevalidate() throws Exception {
        firstThen("/swr", Origin.Reply.of(200, "v1", "Cache-Control", "max-age=60, stale-while-revalidate=3600",
                "Age", "100"), Origin.Reply.of(200, "v2", "Cache-Control", "max-age=60"));
        call("/swr");
        RawClient.Response stale = call("/swr");
        assertThat(stale.text()).isEqualTo("v1");
        assertThat(stale.header("Cache-Status")).contains("hit").contains("stale-while-revalidate");
        Await.until(() -> origin().seen("/swr") == 2);
        Origin.Seen background = origin().seen().stream().filter(s -> s.uri().equals("/swr")).toList().get(1);
        assertThat(background.header("Cache-Control")).contains("no-cache");
        Await.until(() -> {
            try {
                return call("/swr").text().equals("v2");
            } catch (IOException e) {
                return false;
            }
        });
        RawClient.Response fresh = call("/swr");
        assertThat(fresh.header("Cache-Status")).contains("hit").doesNotContain("stale");
        assertThat(origin().seen("/swr")).isEqualTo(2);
    }

    @Test
    @DisplayName("RFC 5861 §3 stale-while-revalidate: past the window the request waits for the origin")
    void pastSwrWindow() throws Exception {
        firstThen("/swr-late", Origin.Reply.of(200, "v1", "Cache-Control", "max-age=60, stale-while-revalidate=5",
                "Age", "100"), Origin.Reply.of(200, "v2", "Cache-Control", "max-age=60"));
        call("/swr-late");
        assertThat(call("/swr-late").text()).isEqualTo("v2");
    }
}
