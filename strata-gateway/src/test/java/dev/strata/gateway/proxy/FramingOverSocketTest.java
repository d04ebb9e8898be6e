package dev.strata.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.OriginAndGateway;
import dev.strata.gateway.testing.RawClient;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every framing attack and limit over a real socket: refused, closed, and the origin never sees it. */
class FramingOverSocketTest {

    @RegisterExtension
    static final OriginAndGateway env = new OriginAndGateway("o1", """
              limits: {max_request_line: 1KiB, max_header_size: 2KiB, max_body: 64KiB}
              routes:
                - {name: default, host: "*", path_prefix: /, upstream: app}
                - {name: small, host: "*", path_prefix: /small, upstream: app, max_body: 100}
            """);

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.strata.gateway.proxy.Attacks#all")
    void attackIsRefusedAndNeverForwarded(String name, String request) throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send(request).read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(r.header("content-type")).isEqualTo("application/problem+json");
            assertThat(c.closedByPeer()).isTrue();
        }
        // a request after the attack on a new connection still works, and the origin saw only that one
        try (RawClient c = new RawClient(env.address())) {
            assertThat(c.send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
        }
        assertThat(env.origin().seen()).extracting(Origin.Seen::uri).containsExactly("/after");
    }

    @Test
    void smuggledSecondRequestNeverReachesTheOrigin() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "0\r\n\r\nGET /smuggled HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(env.origin().seen()).isEmpty();
    }

    @Test
    void limitsOverRealSockets() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            assertThat(c.send("GET /" + "x".repeat(2000) + " HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(414);
        }
        try (RawClient c = new RawClient(env.address())) {
            String pad = ("X-Pad: " + "p".repeat(100) + "\r\n").repeat(30);
            assertThat(c.send("GET / HTTP/1.1\r\nHost: a\r\n" + pad + "\r\n").read().status()).isEqualTo(431);
        }
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("POST /small HTTP/1.1\r\nHost: a\r\nContent-Length: 101\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(env.origin().seen()).isEmpty();
    }

    @Test
    void chunkedBodyOverTheRouteLimitIsCutOff() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            OutputStream out = c.output();
            out.write("POST /small/upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write("40\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[64]);
            out.write("\r\n40\r\n".getBytes(StandardCharsets.US_ASCII));
            out.write(new byte[64]);
            out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            RawClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedByPeer()).isTrue();
        }
        // the origin may have seen the start of the request, but never a complete one
        assertThat(env.origin().seen()).isEmpty();
    }
}
