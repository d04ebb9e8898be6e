package dev.strata.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.Patterns;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.Servers;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import dev.strata.gateway.testing.Await;
import org.junit.jupiter.api.BeforeAll;
import dev.strata.common.testing.Ports;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1 GiB up and 1 GiB down through a gateway that runs in a child JVM with 64 MiB of heap and 64 MiB
 * of direct memory: it can only pass if bodies are streamed with backpressure, never held.
 */
class LargeBodyTest {

    static final long GIB = 1L << 30;

    /** The origin and the gateway process, shared by the tests and stopped after the last. */
    @RegisterExtension
    static final Servers servers = new Servers();

    @TempDir
    static Path dir;
    static Origin origin;
    static Process gateway;
    static InetSocketAddress address;

    @BeforeAll
    static void start() throws Exception {
        origin = servers.origin("big");
        int port = Ports.free();
        int adminPort = Ports.free();
        Path config = dir.resolve("gateway.yaml");
        Files.writeString(config, """
                gateway:
                  io_threads: 1
                  listeners: [{name: main, address: 127.0.0.1:%d}]
                  admin: {address: 127.0.0.1:%d}
                  access_log: {enabled: false}
                  warmup: {enabled: false}
                  limits: {max_body: 2GiB}
                  upstreams:
                    app: {endpoints: [%s], health: {active: {enabled: false}}}
                """.formatted(port, adminPort, origin.address()));
        gateway = servers.gatewayProcess(List.of(), config, dir.resolve("gateway.log"),
                "-Xmx64m", "-XX:MaxDirectMemorySize=64m").process();
        address = new InetSocketAddress("127.0.0.1", port);
        Await.until(() -> {
            try (RawClient c = new RawClient(new InetSocketAddress("127.0.0.1", adminPort))) {
                return c.send("GET /_strata/health HTTP/1.1\r\nHost: a\r\n\r\n").read().status() == 200;
            } catch (Exception e) {
                return false;
            }
        });
    }

    @Test
    void oneGibibyteRequestBodyIsStreamedUp() throws Exception {
        try (RawClient c = new RawClient(address)) {
            OutputStream out = c.output();
            out.write(("PUT /upload HTTP/1.1\r\nHost: a\r\nContent-Length: " + GIB + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            try (InputStream body = Patterns.stream(GIB)) {
                body.transferTo(out);
            }
            out.flush();
            RawClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("big PUT /upload " + GIB + " " + Patterns.crc(GIB));
        }
        assertThat(gateway.isAlive()).isTrue();
    }

    @Test
    void oneGibibyteChunkedRequestBodyIsStreamedUp() throws Exception {
        try (RawClient c = new RawClient(address)) {
            OutputStream out = new java.io.BufferedOutputStream(c.output(), 1 << 16);
            out.write("POST /upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] buf = new byte[1 << 16];
            try (InputStream body = Patterns.stream(GIB)) {
                int n;
                while ((n = body.read(buf)) > 0) {
                    out.write((Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(buf, 0, n);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            RawClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("big POST /upload " + GIB + " " + Patterns.crc(GIB));
        }
    }

    @Test
    void oneGibibyteResponseBodyIsStreamedDown() throws Exception {
        try (RawClient c = new RawClient(address)) {
            RawClient.Response r = c.send("GET /bytes/" + GIB + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyLength()).isEqualTo(GIB);
            assertThat(r.bodyCrc()).isEqualTo(Patterns.crc(GIB));
        }
        assertThat(gateway.isAlive()).isTrue();
    }
}
