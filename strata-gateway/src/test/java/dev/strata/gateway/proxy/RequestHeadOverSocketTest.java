package dev.strata.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.RecordingOrigin;
import dev.strata.gateway.testing.Servers;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What reaches the origin of a request head, byte for byte: Host (never dropped, supplied for HTTP/1.0),
 * absolute-form targets, Host values, and the path routing sees. Two origins: {@code /static/} goes to
 * one, everything else to the other.
 */
class RequestHeadOverSocketTest {

    @RegisterExtension
    static final Servers servers = new Servers();

    static RecordingOrigin app;
    static RecordingOrigin statics;
    static InetSocketAddress address;

    @BeforeAll
    static void start() throws Exception {
        app = servers.closeAtEnd(new RecordingOrigin());
        statics = servers.closeAtEnd(new RecordingOrigin());
        Gateway gateway = servers.gateway(Configs.gateway("""
                  io_threads: 1
                  routes:
                    - {name: default, host: "*", path_prefix: /, upstream: app}
                    - {name: static, host: "*", path_prefix: /static/, upstream: static}
                  upstreams:
                    app: {endpoints: [%s], health: {active: {enabled: false}}}
                    static: {endpoints: [%s], health: {active: {enabled: false}}}
                """.formatted(app.address(), statics.address())));
        address = gateway.listenerAddress("main");
    }

    @BeforeEach
    void clear() {
        app.requests().clear();
        statics.requests().clear();
    }

    private static RawClient.Response send(String bytes) throws Exception {
        try (RawClient c = new RawClient(address)) {
            return c.send(bytes).read();
        }
    }

    // ------------------------------------------------------------------ Host is never dropped

    @Test
    void hostNamedInConnectionStillReachesTheOrigin() throws Exception {
        RawClient.Response r = send("GET /x HTTP/1.1\r\nHost: a\r\nConnection: Host\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(app.lastHead()).startsWith("GET /x HTTP/1.1\r\n").contains("\r\nHost: a\r\n")
                .contains("\r\nX-Forwarded-Host: a\r\n");
    }

    @Test
    void contentLengthNamedInConnectionStillFramesTheBody() throws Exception {
        RawClient.Response r = send("POST /x HTTP/1.1\r\nHost: a\r\nConnection: Content-Length\r\n"
                + "Content-Length: 5\r\n\r\nhello");
        assertThat(r.status()).isEqualTo(200);
        assertThat(app.last()).contains("\r\nContent-Length: 5\r\n").endsWith("\r\n\r\nhello");
    }

    @Test
    void anHttp10RequestWithoutHostGetsTheEndpointsHostUpstream() throws Exception {
        RawClient.Response r = send("GET /x HTTP/1.0\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(app.lastHead()).startsWith("GET /x HTTP/1.1\r\nHost: " + app.address() + "\r\n")
                .doesNotContain("X-Forwarded-Host").doesNotContain("host=");
    }

    @Test
    void anHttp10RequestWithAnAbsoluteTargetGetsItsHostUpstream() throws Exception {
        RawClient.Response r = send("GET http://b.example/x HTTP/1.0\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(app.lastHead()).startsWith("GET /x HTTP/1.1\r\nHost: b.example\r\n")
                .contains("\r\nX-Forwarded-Host: b.example\r\n");
    }

    // ------------------------------------------------------------------ absolute form and Host values

    @Test
    void anAbsoluteTargetWhoseAuthorityEndsAtAQueryIsRoutedOnSlash() throws Exception {
        RawClient.Response r = send("GET http://other.example?x=/static/y HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(statics.requests()).isEmpty();
        assertThat(app.lastHead()).startsWith("GET /?x=/static/y HTTP/1.1\r\nHost: other.example\r\n")
                .contains("\r\nX-Forwarded-Host: other.example\r\n");
    }

    @Test
    void anAbsoluteTargetWhoseAuthorityEndsAtAFragmentIsRoutedOnSlash() throws Exception {
        RawClient.Response r = send("GET http://other.example#/static/y HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(r.status()).isEqualTo(200);
        assertThat(statics.requests()).isEmpty();
        assertThat(app.lastHead()).startsWith("GET / HTTP/1.1\r\nHost: other.example\r\n");
    }

    @Test
    void hostValuesThatAreNotUriHostAndPortAre400AndReachNoOrigin() throws Exception {
        String[] bad = {"user:pw@evil.example", "a b", "a/b?c#d", "a, b", "a\"b\\c", "a:99999999x", "",
                "a\u00e9b", "a:65536", "[::1", ":80"};
        for (String host : bad) {
            RawClient.Response r = send("GET /x HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            assertThat(r.status()).as("Host: %s", host).isEqualTo(400);
            assertThat(r.header("content-type")).isEqualTo("application/problem+json");
        }
        RawClient.Response r = send("GET http://user:pw@evil.example/x HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(r.status()).isEqualTo(400);
        assertThat(app.requests()).isEmpty();
        assertThat(statics.requests()).isEmpty();
    }

    @Test
    void hostValuesThatAreUriHostAndPortPass() throws Exception {
        for (String host : new String[] {"a", "a.example:8080", "127.0.0.1:1", "[::1]:80", "[::1]", "xn--bcher-kva.example",
                "a%2Db", "a:"}) {
            RawClient.Response r = send("GET /x HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
            assertThat(r.status()).as("Host: %s", host).isEqualTo(200);
            assertThat(app.lastHead()).contains("\r\nHost: " + host + "\r\n");
        }
    }

    // ------------------------------------------------------------------ the path routing sees

    @Test
    void dotSegmentsAreRemovedBeforeRoutingAndTheNormalPathGoesUp() throws Exception {
        assertThat(send("GET /static/../admin HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
        assertThat(statics.requests()).isEmpty();
        assertThat(app.lastHead()).startsWith("GET /admin HTTP/1.1\r\n");
        assertThat(send("GET /static/%2e%2E/admin?q=/static/../x HTTP/1.1\r\nHost: a\r\n\r\n").status())
                .isEqualTo(200);
        assertThat(statics.requests()).isEmpty();
        assertThat(app.lastHead()).startsWith("GET /admin?q=/static/../x HTTP/1.1\r\n");
    }

    @Test
    void escapedUnreservedCharactersAreDecodedBeforeRoutingAndOtherEscapesStay() throws Exception {
        assertThat(send("GET /%73tatic/./y%2Fz HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
        assertThat(app.requests()).isEmpty();
        assertThat(statics.lastHead()).startsWith("GET /static/y%2Fz HTTP/1.1\r\n");
    }

    @Test
    void anAbsoluteTargetsPathIsNormalizedToo() throws Exception {
        assertThat(send("GET http://b.example/static/../admin HTTP/1.1\r\nHost: b.example\r\n\r\n").status())
                .isEqualTo(200);
        assertThat(statics.requests()).isEmpty();
        assertThat(app.lastHead()).startsWith("GET /admin HTTP/1.1\r\nHost: b.example\r\n");
    }

    @Test
    void withRefuseAPathThatIsNotNormalIs400AndWithMergeSlashesRunsOfSlashesAreToo() throws Exception {
        Gateway strict = servers.gateway(Configs.gateway("""
                  io_threads: 1
                  routing: {normalize_path: refuse, merge_slashes: true}
                  routes:
                    - {name: default, host: "*", path_prefix: /, upstream: app}
                    - {name: static, host: "*", path_prefix: /static/, upstream: static}
                  upstreams:
                    app: {endpoints: [%s], health: {active: {enabled: false}}}
                    static: {endpoints: [%s], health: {active: {enabled: false}}}
                """.formatted(app.address(), statics.address())));
        for (String path : new String[] {"/static/../admin", "/static/%2e%2e/admin", "/%73tatic/y", "//static/y",
                "/static//y", "/a/./b"}) {
            try (RawClient c = new RawClient(strict.listenerAddress("main"))) {
                RawClient.Response r = c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
                assertThat(r.status()).as(path).isEqualTo(400);
            }
        }
        assertThat(app.requests()).isEmpty();
        assertThat(statics.requests()).isEmpty();
        try (RawClient c = new RawClient(strict.listenerAddress("main"))) {
            assertThat(c.send("GET /static/y%2F..%2Fz HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
        }
        assertThat(statics.lastHead()).startsWith("GET /static/y%2F..%2Fz HTTP/1.1\r\n");
    }

    @Test
    void withOffThePathIsRoutedAndForwardedAsReceived() throws Exception {
        Gateway off = servers.gateway(Configs.gateway("""
                  io_threads: 1
                  routing: {normalize_path: "off"}
                  upstreams:
                    app: {endpoints: [%s], health: {active: {enabled: false}}}
                """.formatted(app.address())));
        try (RawClient c = new RawClient(off.listenerAddress("main"))) {
            assertThat(c.send("GET /a/../b//c HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
        }
        assertThat(app.lastHead()).startsWith("GET /a/../b//c HTTP/1.1\r\n");
    }

    // ------------------------------------------------------------------ request transfer codings

    @Test
    void aRequestTransferCodingOtherThanChunkedIs501AndReachesNoOrigin() throws Exception {
        for (String te : new String[] {"Transfer-Encoding: gzip, chunked\r\n",
                "Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n"}) {
            try (RawClient c = new RawClient(address)) {
                RawClient.Response r = c.send("POST /x HTTP/1.1\r\nHost: a\r\n" + te
                        + "\r\n5\r\nhello\r\n0\r\n\r\n").read();
                assertThat(r.status()).as(te).isEqualTo(501);
                assertThat(r.header("content-type")).isEqualTo("application/problem+json");
                assertThat(r.header("connection")).isEqualTo("close");
                assertThat(c.closedByPeer()).isTrue();
            }
        }
        assertThat(app.requests()).isEmpty();
    }
}
