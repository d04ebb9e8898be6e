package dev.strata.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.config.RouteConfig;
import java.util.List;
import org.junit.jupiter.api.Test;

class RouterTest {

    private static RouteConfig r(String name, String host, String prefix) {
        return new RouteConfig(name, host, prefix, "app", null);
    }

    private final Router<RouteConfig> router = Router.of(List.of(
            r("any", "*", "/"),
            r("any-api", "*", "/api"),
            r("wild", "*.example.com", "/"),
            r("deep-wild", "*.eu.example.com", "/"),
            r("exact", "shop.example.com", "/cart"),
            r("exact-long", "shop.example.com", "/cart/checkout")));

    private String match(String host, String path) {
        RouteConfig m = router.match(host, path);
        return m == null ? null : m.name();
    }

    @Test
    void longestPrefixWins() {
        assertThat(match("other.test", "/api/v1")).isEqualTo("any-api");
        assertThat(match("other.test", "/")).isEqualTo("any");
        assertThat(match("shop.example.com", "/cart/checkout/1")).isEqualTo("exact-long");
        assertThat(match("shop.example.com", "/cart/1")).isEqualTo("exact");
    }

    @Test
    void hostTiersAreExactThenWildcardThenAny() {
        assertThat(match("shop.example.com", "/other")).isEqualTo("wild");
        assertThat(match("a.eu.example.com", "/x")).isEqualTo("deep-wild");
        assertThat(match("example.com", "/x")).isEqualTo("any");
        assertThat(match("SHOP.Example.COM:8080", "/cart")).isEqualTo("exact");
        assertThat(match(null, "/x")).isEqualTo("any");
    }

    @Test
    void noMatchIsNull() {
        Router<RouteConfig> narrow = Router.of(List.of(r("only", "api.test", "/api")));
        assertThat(narrow.match("api.test", "/web")).isNull();
        assertThat(narrow.match("other.test", "/api")).isNull();
    }
}
