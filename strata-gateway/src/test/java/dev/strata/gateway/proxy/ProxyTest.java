package dev.strata.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.OriginAndGateway;
import dev.strata.gateway.testing.Patterns;
import dev.strata.gateway.testing.RawClient;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The proxy over real sockets: framing, keep-alive, headers, continue. */
class ProxyTest {

    @RegisterExtension
    static final OriginAndGateway env = new OriginAndGateway("o1", "  name: gw-test\n");

    @Test
    void keepAliveServesSeveralRequestsOnOneConnection() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            for (int i = 0; i < 5; i++) {
                RawClient.Response r = c.send("GET /hello/" + i + " HTTP/1.1\r\nHost: a.test\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.text()).startsWith("o1 GET /hello/" + i + " 0");
                assertThat(r.header("x-served-by")).isEqualTo("o1");
                assertThat(r.header("connection")).isNull();
            }
        }
        assertThat(env.origin().seen()).hasSize(5);
    }

    @Test
    void clientThatHalfClosesAfterItsRequestStillGetsTheResponse() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            c.send("GET /sleep/200 HTTP/1.1\r\nHost: a\r\n\r\n");
            c.socket().shutdownOutput();
            RawClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).startsWith("o1 GET /sleep/200");
            assertThat(c.closedByPeer()).isTrue();
        }
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            c.send("GET /p/1 HTTP/1.1\r\nHost: a\r\n\r\nGET /p/2 HTTP/1.1\r\nHost: a\r\n\r\nGET /p/3 HTTP/1.1\r\nHost: a\r\n\r\n");
            for (int i = 1; i <= 3; i++) {
                assertThat(c.read().text()).startsWith("o1 GET /p/" + i + " ");
            }
        }
    }

    @Test
    void contentLengthBodyIsForwarded() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("POST /post HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("o1 POST /post 11 " + crc("hello world"));
        }
        assertThat(env.origin().seen().get(0).header("content-length")).isEqualTo("11");
    }

    @Test
    void chunkedRequestBodyIsForwardedChunked() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("POST /chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("o1 POST /chunked 11 " + crc("hello world"));
            // and the connection stays usable
            assertThat(c.send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
        }
        assertThat(env.origin().seen().get(0).header("transfer-encoding")).isEqualToIgnoringCase("chunked");
    }

    @Test
    void chunkedAndLengthResponsesAreStreamed() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response chunked = c.send("GET /bytes/300000 HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(chunked.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(chunked.bodyLength()).isEqualTo(300000);
            assertThat(chunked.bodyCrc()).isEqualTo(Patterns.crc(300000));
            RawClient.Response sized = c.send("GET /bytes/300000?cl HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(sized.header("content-length")).isEqualTo("300000");
            assertThat(sized.bodyCrc()).isEqualTo(Patterns.crc(300000));
        }
    }

    @Test
    void http10ClientGetsAnUnchunkedBodyAndAClose() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("GET /bytes/1000 HTTP/1.0\r\nHost: a\r\n\r\n").read();
            assertThat(r.header("transfer-encoding")).isNull();
            assertThat(r.bodyLength()).isEqualTo(1000);
            assertThat(r.bodyCrc()).isEqualTo(Patterns.crc(1000));
        }
    }

    @Test
    void headResponseHasNoBody() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("HEAD /h HTTP/1.1\r\nHost: a\r\n\r\n").read(true);
            assertThat(r.status()).isEqualTo(200);
            assertThat(c.send("GET /after-head HTTP/1.1\r\nHost: a\r\n\r\n").read().text()).startsWith("o1 GET /after-head");
        }
    }

    @Test
    void expectContinueIsAnsweredByTheGatewayOnceAccepted() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            c.send("PUT /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            RawClient.Response interim = c.read();
            assertThat(interim.status()).isEqualTo(100);
            RawClient.Response r = c.send("abcde").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("o1 PUT /upload 5 " + crc("abcde"));
        }
        assertThat(env.origin().seen().get(0).header("expect")).isNull();
    }

    @Test
    void expectContinueWithTooLargeBodyGets413AndNoContinue() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            c.send("PUT /upload HTTP/1.1\r\nHost: a\r\nContent-Length: 999999999\r\nExpect: 100-continue\r\n\r\n");
            RawClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.header("content-type")).isEqualTo("application/problem+json");
            assertThat(r.header("connection")).isEqualTo("close");
        }
        assertThat(env.origin().seen()).isEmpty();
    }

    @Test
    void hopByHopHeadersAreRemovedIncludingThoseNamedInConnection() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("GET /hop HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, X-Secret, x-other\r\n"
                    + "Keep-Alive: timeout=5\r\nProxy-Connection: keep-alive\r\nTE: trailers\r\nTrailer: X-T\r\n"
                    + "Upgrade: websocket\r\nX-Secret: 1\r\nX-Other: 2\r\nX-Kept: 3\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
        }
        Origin.Seen s = env.origin().seen().get(0);
        for (String h : new String[] {"connection", "keep-alive", "proxy-connection", "te", "trailer", "upgrade",
                "x-secret", "x-other"}) {
            assertThat(s.header(h)).as(h).isNull();
        }
        assertThat(s.header("x-kept")).isEqualTo("3");
    }

    @Test
    void hopByHopHeadersOfResponsesAreRemoved() throws Exception {
        try (RawClient direct = new RawClient(new InetSocketAddress("127.0.0.1", env.origin().port()))) {
            RawClient.Response r = direct.send("GET /hop HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.header("x-hop-resp")).as("the origin sends them").isEqualTo("1");
            assertThat(r.header("keep-alive")).isNotNull();
        }
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("GET /hop HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("x-hop-resp")).isNull();
            assertThat(r.header("keep-alive")).isNull();
            assertThat(r.header("upgrade")).isNull();
            assertThat(r.header("connection")).isNull();
            assertThat(r.header("x-kept")).isEqualTo("1");
            assertThat(c.send("GET /after-hop HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
        }
    }

    @Test
    void forwardingHeadersFromATrustedPeerAreAppendedTo() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            c.send("GET /fwd HTTP/1.1\r\nHost: shop.test:8080\r\nX-Forwarded-For: 203.0.113.7\r\n"
                    + "X-Forwarded-Proto: https\r\nForwarded: for=203.0.113.7;proto=https\r\nVia: 1.1 edge\r\n\r\n").read();
        }
        Origin.Seen s = env.origin().seen().get(0);
        assertThat(s.header("x-forwarded-for")).isEqualTo("203.0.113.7, 127.0.0.1");
        assertThat(s.header("x-forwarded-proto")).isEqualTo("https");
        assertThat(s.header("x-forwarded-host")).isEqualTo("shop.test:8080");
        assertThat(s.header("forwarded")).isEqualTo("for=203.0.113.7;proto=https, for=127.0.0.1;host=\"shop.test:8080\";proto=http");
        assertThat(s.header("via")).isEqualTo("1.1 edge, 1.1 gw-test");
    }

    @Test
    void forwardingHeadersFromAnUntrustedPeerAreReplaced() throws Exception {
        Gateway g = env.anotherGateway("  forwarding: {trusted_proxies: [10.0.0.0/8], via: false}\n");
        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            c.send("GET /untrusted HTTP/1.1\r\nHost: shop.test\r\nX-Forwarded-For: 203.0.113.7\r\n"
                    + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: evil.test\r\nForwarded: for=203.0.113.7\r\n\r\n").read();
        }
        Origin.Seen s = env.origin().seen().get(0);
        assertThat(s.header("x-forwarded-for")).isEqualTo("127.0.0.1");
        assertThat(s.header("x-forwarded-proto")).isEqualTo("http");
        assertThat(s.header("x-forwarded-host")).isEqualTo("shop.test");
        assertThat(s.header("forwarded")).isEqualTo("for=127.0.0.1;host=\"shop.test\";proto=http");
        assertThat(s.header("via")).isNull();
    }

    @Test
    void accessLogGetsOneLinePerRequest(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path file = dir.resolve("access.log");
        Gateway g = env.anotherGateway("  access_log: {enabled: true, format: text, path: '" + file + "'}\n");
        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            c.send("GET /logged HTTP/1.1\r\nHost: a\r\nUser-Agent: test-agent\r\n\r\n").read();
            c.send("GET /also HTTP/1.1\r\nHost: a\r\n\r\n").read();
        }
        g.close(); // closes the access log
        java.util.List<String> lines = java.nio.file.Files.readAllLines(file);
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).contains("\"GET /logged HTTP/1.1\" 200 ").contains("\"test-agent\"")
                .contains(" default " + env.origin().address() + " ");
    }

    @Test
    void responseCarriesVia() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            assertThat(c.send("GET /via HTTP/1.1\r\nHost: a\r\n\r\n").read().header("via")).isEqualTo("1.1 gw-test");
        }
    }

    @Test
    void unknownRouteIs404Problem() throws Exception {
        Gateway g = env.anotherGateway("  routes: [{name: only, host: api.test, path_prefix: /api, upstream: app}]\n");
        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            RawClient.Response r = c.send("GET /elsewhere HTTP/1.1\r\nHost: api.test\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.header("content-type")).isEqualTo("application/problem+json");
            assertThat(r.header("x-served-by")).isEqualTo("gateway");
            assertThat(r.text()).contains("\"status\":404");
            // keep-alive survives a bodiless rejection
            assertThat(c.send("GET /api/x HTTP/1.1\r\nHost: api.test\r\n\r\n").read().status()).isEqualTo(200);
        }
    }

    static long crc(String s) {
        CRC32 c = new CRC32();
        c.update(s.getBytes(StandardCharsets.UTF_8));
        return c.getValue();
    }
}
