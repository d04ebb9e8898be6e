package dev.strata.gateway.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HashOnTest {

    private static Function<String, String> headers(Map<String, String> byLowerCaseName) {
        return name -> byLowerCaseName.get(name.toLowerCase(java.util.Locale.ROOT));
    }

    @Test
    void parsesTheThreeForms() {
        assertThat(HashOn.parse("path")).isEqualTo(new HashOn(HashOn.Kind.PATH, null));
        assertThat(HashOn.parse("header:X-User")).isEqualTo(new HashOn(HashOn.Kind.HEADER, "X-User"));
        assertThat(HashOn.parse("cookie:session")).isEqualTo(new HashOn(HashOn.Kind.COOKIE, "session"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Path", "header:", "cookie:", "header:X User", "query:q", "cookie:a;b", "header"})
    void rejectsAnythingElse(String hashOn) {
        assertThatThrownBy(() -> HashOn.parse(hashOn))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("hashOn: " + hashOn + " (expected: header:NAME, cookie:NAME or path)");
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> HashOn.parse(null))
                .hasMessage("hashOn: null (expected: header:NAME, cookie:NAME or path)");
        assertThatThrownBy(() -> new HashOn(HashOn.Kind.PATH, "x"))
                .hasMessage("name: x (expected: none for path)");
        assertThatThrownBy(() -> new HashOn(HashOn.Kind.HEADER, null))
                .hasMessage("name: null (expected: an HTTP token)");
    }

    @Test
    void thePathKeyLeavesOutTheQuery() {
        HashOn path = HashOn.parse("path");
        Function<String, String> none = name -> null;
        assertThat(path.keyFrom("/links/abc?utm=1", none)).isEqualTo("/links/abc");
        assertThat(path.keyFrom("/links/abc", none)).isEqualTo("/links/abc");
        assertThat(path.keyFrom("/?", none)).isEqualTo("/");
        assertThat(path.keyFrom(null, none)).isNull();
    }

    @Test
    void theHeaderKeyIsTheHeaderValue() {
        HashOn header = HashOn.parse("header:X-User");
        assertThat(header.keyFrom("/", headers(Map.of("x-user", "u-42")))).isEqualTo("u-42");
        assertThat(header.keyFrom("/", headers(Map.of()))).isNull();
    }

    @Test
    void theCookieKeyIsParsedFromTheCookieHeader() {
        HashOn cookie = HashOn.parse("cookie:session");
        assertThat(cookie.keyFrom("/", headers(Map.of("cookie", "a=1; session=s-9; b=2")))).isEqualTo("s-9");
        assertThat(cookie.keyFrom("/", headers(Map.of("cookie", "session=first")))).isEqualTo("first");
        assertThat(cookie.keyFrom("/", headers(Map.of("cookie", "xsession=1;session =\t\"q v\" ")))).isEqualTo("q v");
        assertThat(cookie.keyFrom("/", headers(Map.of("cookie", "a=1;;session=x=y")))).isEqualTo("x=y");
        assertThat(cookie.keyFrom("/", headers(Map.of("cookie", "Session=1; sessions=2")))).isNull();
        assertThat(cookie.keyFrom("/", headers(Map.of("cookie", "session=; a=1")))).isNull();
        assertThat(cookie.keyFrom("/", headers(Map.of("cookie", "session")))).isNull();
        assertThat(cookie.keyFrom("/", headers(Map.of("cookie", "")))).isNull();
        assertThat(cookie.keyFrom("/", headers(Map.of()))).isNull();
    }
}
