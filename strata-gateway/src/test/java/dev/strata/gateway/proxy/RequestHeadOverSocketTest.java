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
}
