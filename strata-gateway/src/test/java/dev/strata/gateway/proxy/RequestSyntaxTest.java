package dev.strata.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestSyntaxTest {

    private static String normal(String target) {
        return RequestSyntax.normalize(target, true, false);
    }

    @Test
    void dotSegmentsAreRemovedAsRfc3986Says() {
        assertThat(normal("/a/b/c/./../../g")).isEqualTo("/a/g");
        assertThat(normal("/static/../admin")).isEqualTo("/admin");
        assertThat(normal("/../../x")).isEqualTo("/x");
        assertThat(normal("/a/.")).isEqualTo("/a/");
        assertThat(normal("/a/..")).isEqualTo("/");
        assertThat(normal("/..")).isEqualTo("/");
        assertThat(normal("/a/.b/..c")).isEqualTo("/a/.b/..c");
        assertThat(normal("/a/./b?x=/../y")).isEqualTo("/a/b?x=/../y");
    }

    @Test
    void onlyUnreservedEscapesAreDecoded() {
        assertThat(normal("/%7Euser/%41%2f%25")).isEqualTo("/~user/A%2f%25");
        assertThat(normal("/a/%2E%2e/b")).isEqualTo("/b");
        assertThat(normal("/%zz/%4")).isEqualTo("/%zz/%4");
    }

    @Test
    void aNormalPathIsReturnedAsTheSameInstance() {
        String t = "/static/app.js?v=1";
        assertThat(normal(t)).isSameAs(t);
        String slashes = "/a//b";
        assertThat(normal(slashes)).isSameAs(slashes);
        assertThat(RequestSyntax.normalize(slashes, true, true)).isEqualTo("/a/b");
        assertThat(RequestSyntax.normalize("/a/../b", false, true)).isEqualTo("/a/../b");
    }

    @Test
    void hosts() {
        for (String ok : new String[] {"a", "a.example", "a.example:80", "[::1]:8080", "[v1.x]", "a%20b", "a:", "1.2.3.4"}) {
            assertThat(RequestSyntax.validHost(ok)).as(ok).isTrue();
        }
        for (String bad : new String[] {"", "user@a", "a b", "a/b", "a?b", "a#b", "a\"b", "a\\b", "a:1x", "a:123456",
                "a:70000", "[::1", "[]", ":1", "a\u00e9", "a%2", "[::1]x"}) {
            assertThat(RequestSyntax.validHost(bad)).as(bad).isFalse();
        }
    }
}
