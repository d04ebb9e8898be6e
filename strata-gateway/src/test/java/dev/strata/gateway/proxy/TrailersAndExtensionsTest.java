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
 * Request trailers and chunk extensions over real sockets, with an origin that records the bytes it
 * gets: fields RFC 9110 §6.5.1 forbids in trailers are dropped, extensions are bounded per chunk and
 * count toward {@code max_body} (here 1 KiB; extensions at most 600 bytes a chunk).
 */
class TrailersAndExtensionsTest {

    @RegisterExtension
    static final Servers servers = new Servers();

    static RecordingOrigin origin;
    static InetSocketAddress address;

    @BeforeAll
    static void start() throws Exception {
        origin = servers.closeAtEnd(new RecordingOrigin());
        Gateway gateway = servers.gateway(Configs.gateway("  io_threads: 1\n  limits: {max_body: 1KiB, max_chunk_extensions: 600}\n",
                origin.address()));
        address = gateway.listenerAddress("main");
    }

    @BeforeEach
    void clear() {
        origin.requests().clear();
    }

    private static final String CHUNKED_HEAD = "POST /up HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";

    @Test
    void fieldsForbiddenInTrailersDoNotReachTheOrigin() throws Exception {
        try (RawClient c = new RawClient(address)) {
            RawClient.Response r = c.send(CHUNKED_HEAD + "5\r\nhello\r\n0\r\nContent-Length: 3\r\n"
                    + "Transfer-Encoding: chunked\r\nHost: evil.example\r\nX-Forwarded-For: 6.6.6.6\r\n"
                    + "X-Checksum: 42\r\nAuthorization: Bearer x\r\nIf-Match: \"a\"\r\nMax-Forwards: 0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(origin.last()).endsWith("\r\n\r\n5\r\nhello\r\n0\r\nX-Checksum: 42\r\n\r\n");
    }

    @Test
    void trailersWithOnlyForbiddenFieldsEndTheBodyWithoutAny() throws Exception {
        try (RawClient c = new RawClient(address)) {
            RawClient.Response r = c.send(CHUNKED_HEAD + "5\r\nhello\r\n0\r\nHost: evil.example\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
        }
        assertThat(origin.last()).endsWith("\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    }

    @Test
    void chunkExtensionsCountTowardMaxBody() throws Exception {
        String ext = ";x=" + "e".repeat(500);
        try (RawClient c = new RawClient(address)) {
            RawClient.Response r = c.send(CHUNKED_HEAD + ("1" + ext + "\r\na\r\n").repeat(3) + "0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.header("connection")).isEqualTo("close");
        }
        try (RawClient c = new RawClient(address)) {
            RawClient.Response r = c.send(CHUNKED_HEAD + "1" + ext + "\r\na\r\n0\r\n\r\n").read();
            assertThat(r.status()).as("one chunk's extensions are within max_body").isEqualTo(200);
        }
    }

    @Test
    void aChunksExtensionsAreBounded() throws Exception {
        try (RawClient c = new RawClient(address)) {
            RawClient.Response r = c.send(CHUNKED_HEAD + "1;x=" + "e".repeat(600)
                    + "\r\na\r\n0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(400);
        }
        assertThat(origin.requests()).isEmpty();
    }
}
