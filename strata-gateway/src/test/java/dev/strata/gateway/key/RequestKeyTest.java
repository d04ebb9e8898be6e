package dev.strata.gateway.key;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.gateway.testing.FakeRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RequestKeyTest {

    private static final String EXPECTED =
            " (expected: client_address, path, header:NAME, cookie:NAME, query:NAME, constant:VALUE or global)";

    private static String key(String spelling, FakeRequest request) {
        return RequestKey.parse(spelling).of(request);
    }

    // ------------------------------------------------------------------ spellings

    @ParameterizedTest
    @ValueSource(strings = {"client_address", "path", "header:X-User", "cookie:session", "query:user",
            "constant:tenant-7", "constant:a b:c"})
    void aKeyPrintsAsItIsSpelled(String spelling) {
        assertThat(RequestKey.parse(spelling)).hasToString(spelling).isEqualTo(RequestKey.parse(spelling));
    }

    @Test
    void globalIsOneConstantForEveryRequest() {
        assertThat(RequestKey.parse("global")).isEqualTo(RequestKey.parse("constant:global")).hasToString("constant:global");
        assertThat(key("global", FakeRequest.get("/a"))).isEqualTo(key("global", FakeRequest.get("/b?c=d")))
                .isEqualTo("global");
        assertThat(key("constant:t1", FakeRequest.get("/"))).isEqualTo("t1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Path", "paths", "client", "client_address:", "header", "header:", "cookie:",
            "header:X User", "cookie:a;b", "cookie:a=b", "query:", "query:a&b", "query:a=b", "query:a b", "constant:",
            "constant:a\tb", "host", ":path", "hash:x"})
    void rejectsAnythingElseWithOneMessage(String spelling) {
        assertThatThrownBy(() -> RequestKey.parse(spelling))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("key: " + spelling + EXPECTED);
    }

    @Test
    void rejectsNull() {
        assertThatThrownBy(() -> RequestKey.parse(null)).hasMessage("key: null" + EXPECTED);
    }

    @Test
    void prefixesAreCheckedAndBelongToTheClientAddressOnly() {
        assertThat(RequestKey.parse("client_address", 24, 64))
                .hasToString("client_address (ipv4_prefix 24, ipv6_prefix 64)")
                .isNotEqualTo(RequestKey.parse("client_address"));
        assertThat(RequestKey.parse("client_address", 32, 128)).isEqualTo(RequestKey.parse("client_address"));
        assertThat(RequestKey.parse("path", 32, 128)).isEqualTo(RequestKey.parse("path"));
        assertThatThrownBy(() -> RequestKey.parse("client_address", 33, 128))
                .hasMessage("ipv4Prefix: 33 (expected: 0..32)");
        assertThatThrownBy(() -> RequestKey.parse("client_address", 32, -1))
                .hasMessage("ipv6Prefix: -1 (expected: 0..128)");
        assertThatThrownBy(() -> RequestKey.parse("header:X-User", 32, 64))
                .hasMessage("ipv6Prefix: 64 (expected: 128 unless the key is client_address, not header:X-User)");
        assertThatThrownBy(() -> RequestKey.parse("path", 24, 128))
                .hasMessage("ipv4Prefix: 24 (expected: 32 unless the key is client_address, not path)");
    }

    // ------------------------------------------------------------------ path, header

    @Test
    void thePathKeyLeavesOutTheQuery() {
        assertThat(key("path", FakeRequest.get("/links/abc?utm=1"))).isEqualTo("/links/abc");
        assertThat(key("path", FakeRequest.get("/links/abc"))).isEqualTo("/links/abc");
        assertThat(key("path", FakeRequest.get("/?"))).isEqualTo("/");
    }

    @Test
    void theHeaderKeyIsTheFirstValueOfTheHeader() {
        FakeRequest request = FakeRequest.get("/").with("X-User", "u-42").with("x-user", "u-43");
        assertThat(key("header:X-User", request)).isEqualTo("u-42");
        assertThat(key("header:x-user", request)).as("names in any case").isEqualTo("u-42");
        assertThat(key("header:X-User", FakeRequest.get("/"))).isNull();
        assertThat(key("header:X-User", FakeRequest.get("/").with("X-User", ""))).as("empty").isNull();
    }

    // ------------------------------------------------------------------ cookie

    @Test
    void theCookieKeyIsParsedFromTheCookieHeader() {
        assertThat(cookie("a=1; session=s-9; b=2")).isEqualTo("s-9");
        assertThat(cookie("session=first")).isEqualTo("first");
        assertThat(cookie("xsession=1;session =\t\"q v\" ")).isEqualTo("q v");
        assertThat(cookie("a=1;;session=x=y")).isEqualTo("x=y");
        assertThat(cookie("Session=1; sessions=2")).isNull();
        assertThat(cookie("session=; a=1")).isNull();
        assertThat(cookie("session")).isNull();
        assertThat(cookie("")).isNull();
        assertThat(key("cookie:session", FakeRequest.get("/"))).isNull();
    }

    @Test
    void theCookieKeyIsFoundInAnyCookieField() {
        FakeRequest split = FakeRequest.get("/").with("Cookie", "theme=dark").with("Host", "h")
                .with("cookie", "lang=en; session=s-9").with("Cookie", "session=later");
        assertThat(key("cookie:session", split)).isEqualTo("s-9");
        assertThat(key("cookie:theme", split)).isEqualTo("dark");
        assertThat(key("cookie:lang", split)).isEqualTo("en");
        FakeRequest emptyFirst = FakeRequest.get("/").with("Cookie", "session=").with("Cookie", "session=s-9");
        assertThat(key("cookie:session", emptyFirst)).as("the first occurrence decides, as in one joined field").isNull();
    }

    private static String cookie(String field) {
        return key("cookie:session", FakeRequest.get("/").with("Cookie", field));
    }

    // ------------------------------------------------------------------ query

    @Test
    void theQueryKeyIsTheDecodedValueOfTheFirstParameter() {
        assertThat(query("/p?user=u-1")).isEqualTo("u-1");
        assertThat(query("/p?a=1&user=u-1&user=u-2")).isEqualTo("u-1");
        assertThat(query("/p?user=J%C3%BCrgen+M%c3%bcller")).isEqualTo("Jürgen Müller");
        assertThat(query("/p?us%65r=u-1")).as("names are compared decoded").isEqualTo("u-1");
        assertThat(query("/p?users=1&xuser=2&user")).isNull();
        assertThat(query("/p?user=&user=u-2")).as("the first occurrence decides").isNull();
        assertThat(query("/p?user")).isNull();
        assertThat(query("/p?&&user=a=b&")).isEqualTo("a=b");
        assertThat(query("/p?user=100%&b")).as("a stray % stays").isEqualTo("100%");
        assertThat(query("/p?user=%zz%4")).isEqualTo("%zz%4");
        assertThat(query("/p?user=%ff")).as("not UTF-8").isEqualTo("\uFFFD");
        assertThat(query("/p")).isNull();
        assertThat(query("/p?")).isNull();
    }

    private static String query(String target) {
        return key("query:user", FakeRequest.get(target));
    }

    // ------------------------------------------------------------------ client address

    @Test
    void theClientAddressKeyIsTheWholeAddressByDefault() {
        assertThat(key("client_address", FakeRequest.get("/").from("192.0.2.7"))).isEqualTo("192.0.2.7");
        assertThat(key("client_address", FakeRequest.get("/").from("2001:db8::1"))).isEqualTo("2001:db8:0:0:0:0:0:1");
        assertThat(key("client_address", FakeRequest.get("/"))).as("unknown").isNull();
    }

    @Test
    void prefixesMakeOneKeyOfABlock() {
        RequestKey key = RequestKey.parse("client_address", 24, 64);
        assertThat(key.of(FakeRequest.get("/").from("192.0.2.7"))).isEqualTo("192.0.2.0/24");
        assertThat(key.of(FakeRequest.get("/").from("192.0.2.250"))).isEqualTo("192.0.2.0/24");
        assertThat(key.of(FakeRequest.get("/").from("192.0.3.7"))).isEqualTo("192.0.3.0/24");
        assertThat(key.of(FakeRequest.get("/").from("2001:db8:1:2:aaaa::1"))).isEqualTo("2001:db8:1:2:0:0:0:0/64");
        assertThat(key.of(FakeRequest.get("/").from("2001:db8:1:2:ffff::9"))).isEqualTo("2001:db8:1:2:0:0:0:0/64");
        assertThat(key.of(FakeRequest.get("/").from("2001:db8:1:3::1"))).isEqualTo("2001:db8:1:3:0:0:0:0/64");

        RequestKey odd = RequestKey.parse("client_address", 9, 0);
        assertThat(odd.of(FakeRequest.get("/").from("10.255.1.1"))).isEqualTo("10.128.0.0/9");
        assertThat(odd.of(FakeRequest.get("/").from("2001:db8::1"))).isEqualTo("0:0:0:0:0:0:0:0/0");
    }
}
