package dev.strata.gateway.cache;

import static dev.strata.gateway.cache.Http.call;
import static dev.strata.gateway.cache.Http.get;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.OriginAndGateway;
import dev.strata.gateway.testing.RawClient;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An origin that names what its change made stale: the answer to an unsafe request carries
 * {@code Strata-Invalidate-Tags}, the cache purges those tags before the client hears back and removes
 * the field (as the links service does for a link's redirect and stats).
 */
class OriginInvalidationTest {

    @RegisterExtension
    static final OriginAndGateway env = new OriginAndGateway("o1", """
              routes: [{name: links, path_prefix: /, filters: [{cache: {}}]}]
            """);

    @Test
    @DisplayName("§4.4 after a PUT returns, the redirect and the stats that carry the link's tag are not served stale")
    void putPurgesTheTag() throws Exception {
        AtomicReference<String> target = new AtomicReference<>("https://example.org/old");
        env.origin().script("/Ab3xYz9", seen -> Origin.Reply.of(302, "", "Location", target.get(),
                "Cache-Control", "public, max-age=60", "Surrogate-Key", "link-Ab3xYz9"));
        env.origin().script("/api/links/Ab3xYz9", seen -> {
            if (seen.method().equals("PUT")) {
                target.set("https://example.org/new");
                return Origin.Reply.of(200, "{}", "Cache-Control", "no-store", "Strata-Invalidate-Tags", "link-Ab3xYz9");
            }
            return Origin.Reply.of(200, "{\"url\":\"" + target.get() + "\"}", "Cache-Control", "public, max-age=60",
                    "Surrogate-Key", "link-Ab3xYz9");
        });
        get(env.address(), "/Ab3xYz9");
        get(env.address(), "/api/links/Ab3xYz9");
        assertThat(get(env.address(), "/Ab3xYz9").header("Cache-Status")).contains("hit");
        RawClient.Response put = call(env.address(), "PUT", "/api/links/Ab3xYz9");
        assertThat(put.status()).isEqualTo(200);
        assertThat(put.header("Strata-Invalidate-Tags")).as("the client never sees it").isNull();
        RawClient.Response redirect = get(env.address(), "/Ab3xYz9");
        assertThat(redirect.header("Location")).isEqualTo("https://example.org/new");
        assertThat(get(env.address(), "/api/links/Ab3xYz9").text()).contains("/new");
        assertThat(get(env.address(), "/Ab3xYz9").header("Cache-Status")).as("stored again").contains("hit");
    }

    @Test
    @DisplayName("§4.4 an unsafe request answered with an error purges nothing, whatever it names")
    void errorsPurgeNothing() throws Exception {
        env.origin().script("/tagged", seen -> Origin.Reply.of(200, "x", "Cache-Control", "max-age=60",
                "Surrogate-Key", "t-1"));
        env.origin().script("/fails", seen -> Origin.Reply.of(500, "", "Strata-Invalidate-Tags", "t-1"));
        get(env.address(), "/tagged");
        call(env.address(), "POST", "/fails");
        assertThat(get(env.address(), "/tagged").header("Cache-Status")).contains("hit");
    }
}
