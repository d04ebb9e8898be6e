package dev.strata.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.Servers;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Upstreams that answer with exactly the bytes a test scripts (malformed, close-delimited, with
 * trailers, cut short, followed by stray bytes): what the client gets, and whether the upstream
 * connection is used again.
 */
class UpstreamBytesTest {

    /** Answers each request with the bytes scripted for its path; closes when the script says so. */
    static final class ScriptedUpstream implements AutoCloseable {
        /** {@code later}, when not null, is written 200 ms after the response, while the connection is idle. */
        record Script(String bytes, boolean closeAfter, String later) {
            Script(String bytes, boolean closeAfter) {
                this(bytes, closeAfter, null);
            }
        }

        final ServerSocket server;
        final AtomicInteger connections = new AtomicInteger();
        final Map<String, Script> scripts;
        volatile int lastConnection; // the connection that served the last request
        /** Connections that wrote bytes while idle and then found themselves closed by the gateway. */
        final java.util.Set<Integer> closedAfterLateBytes = java.util.concurrent.ConcurrentHashMap.newKeySet();

        ScriptedUpstream(Map<String, Script> scripts) throws IOException {
            this.scripts = scripts;
            server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            Thread.ofVirtual().start(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket s = server.accept();
                        int id = connections.incrementAndGet();
                        Thread.ofVirtual().start(() -> serve(s, id));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
        }

        private void serve(Socket s, int id) {
            boolean wroteLate = false;
            try (s; InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                for (;;) {
                    String head = readHead(in);
                    if (head == null) {
                        if (wroteLate) {
                            closedAfterLateBytes.add(id);
                        }
                        return;
                    }
                    String path = head.substring(head.indexOf(' ') + 1, head.indexOf(' ', head.indexOf(' ') + 1));
                    Script script = scripts.get(path);
                    lastConnection = id;
                    out.write(script.bytes().getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    if (script.closeAfter()) {
                        return;
                    }
                    if (script.later() != null) {
                        Thread.sleep(200);
                        out.write(script.later().getBytes(StandardCharsets.ISO_8859_1));
                        out.flush();
                        wroteLate = true;
                    }
                }
            } catch (IOException e) {
                // the gateway went away
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        String address() {
            return "127.0.0.1:" + server.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    /** The scripted upstream and the gateway in front of it, shared by the tests and closed after the last. */
    @RegisterExtension
    static final Servers servers = new Servers();

    static ScriptedUpstream upstream;
    static Gateway gateway;
    static InetSocketAddress address;

    @BeforeAll
    static void start() throws Exception {
        upstream = servers.closeAtEnd(new ScriptedUpstream(with(Map.of(
                "/malformed", new ScriptedUpstream.Script("HTTP/1.1 2x0 OK\r\n\r\n", true),
                "/until-close", new ScriptedUpstream.Script("HTTP/1.1 200 OK\r\n\r\nto the end", true),
                "/trailers", new ScriptedUpstream.Script("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                        + "Trailer: X-Checksum\r\n\r\n5\r\nhello\r\n0\r\nX-Checksum: 42\r\n\r\n", false),
                "/truncated", new ScriptedUpstream.Script("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..", true),
                "/stray", new ScriptedUpstream.Script("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200", false),
                "/fine", new ScriptedUpstream.Script("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nfine", false),
                "/late", new ScriptedUpstream.Script("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", false,
                        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nstray"),
                "/head", new ScriptedUpstream.Script("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", false),
                "/both", new ScriptedUpstream.Script("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                        + "Content-Length: 3\r\n\r\n5\r\nhello\r\n0\r\n\r\n", false),
                "/gzip", new ScriptedUpstream.Script("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n"
                        + "Content-Length: 5\r\n\r\n" + GZIPPED, true)),
                Map.entry("/cl-named", new ScriptedUpstream.Script("HTTP/1.1 200 OK\r\nConnection: Content-Length\r\n"
                        + "Content-Length: 2\r\n\r\nok", false)),
                Map.entry("/bad-trailers", new ScriptedUpstream.Script("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                        + "\r\n5\r\nhello\r\n0\r\nContent-Length: 3\r\nX-Checksum: 42\r\nTransfer-Encoding: chunked\r\n"
                        + "Set-Cookie: s=1\r\nCache-Control: max-age=99\r\nContent-Type: text/evil\r\n\r\n", false)))));
        gateway = servers.gateway(Configs.gateway("  io_threads: 1\n", upstream.address()));
        address = gateway.listenerAddress("main");
    }

    @SafeVarargs
    private static Map<String, ScriptedUpstream.Script> with(Map<String, ScriptedUpstream.Script> scripts,
                                                           Map.Entry<String, ScriptedUpstream.Script>... more) {
        Map<String, ScriptedUpstream.Script> all = new java.util.HashMap<>(scripts);
        for (Map.Entry<String, ScriptedUpstream.Script> e : more) {
            all.put(e.getKey(), e.getValue());
        }
        return all;
    }

    /** "hello" gzip-coded, as ISO-8859-1 text (one char per byte). */
    static final String GZIPPED = gzip("hello");

    private static String gzip(String text) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(b)) {
                z.write(text.getBytes(StandardCharsets.ISO_8859_1));
            }
            return b.toString(StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String get(String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n";
    }

    @Test
    void aMalformedResponseIs502() throws Exception {
        try (RawClient c = new RawClient(address)) {
            RawClient.Response r = c.send(get("/malformed")).read();
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.header("content-type")).isEqualTo("application/problem+json");
        }
    }

    @Test
    void aCloseDelimitedBodyIsRechunkedForHttp11AndTheClientConnectionStays() throws Exception {
        try (RawClient c = new RawClient(address)) {
            RawClient.Response r = c.send(get("/until-close")).read();
            assertThat(r.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(r.text()).isEqualTo("to the end");
            assertThat(c.send(get("/fine")).read().text()).isEqualTo("fine");
        }
    }

    @Test
    void aCloseDelimitedBodyReachesAnHttp10ClientUntilClose() throws Exception {
        try (RawClient c = new RawClient(address)) {
            RawClient.Response r = c.send("GET /until-close HTTP/1.0\r\n\r\n").read();
            assertThat(r.header("transfer-encoding")).isNull();
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(r.text()).isEqualTo("to the end");
        }
    }

    @Test
    void trailersCrossWithTheirChunkedBody() throws Exception {
        try (RawClient c = new RawClient(address)) {
            c.send(get("/trailers"));
            String raw = readUntil(c.socket().getInputStream(), "\r\n0\r\nX-Checksum: 42\r\n\r\n");
            assertThat(raw).startsWith("HTTP/1.1 200 OK\r\n").contains("Transfer-Encoding: chunked\r\n")
                    .doesNotContainIgnoringCase("\r\nTrailer:").endsWith("\r\n\r\n5\r\nhello\r\n0\r\nX-Checksum: 42\r\n\r\n");
        }
    }

    @Test
    void aResponseCutShortClosesTheClientConnectionWithoutCompletingIt() throws Exception {
        try (RawClient c = new RawClient(address)) {
            assertThatThrownBy(() -> c.send(get("/truncated")).read()).hasMessageContaining("body ended early: 10 of 100");
        }
    }

    @Test
    void anUpstreamConnectionWithStrayBytesAfterItsResponseIsNotUsedAgain() throws Exception {
        try (RawClient c = new RawClient(address)) {
            assertThat(c.send(get("/fine")).read().text()).isEqualTo("fine");
            int first = upstream.lastConnection;
            assertThat(c.send(get("/fine")).read().text()).isEqualTo("fine");
            assertThat(upstream.lastConnection).as("a clean connection is used again").isEqualTo(first);
            assertThat(c.send(get("/stray")).read().text()).isEqualTo("ok");
            int stray = upstream.lastConnection;
            assertThat(c.send(get("/fine")).read().text()).isEqualTo("fine");
            assertThat(upstream.lastConnection).as("the one with stray bytes is not").isNotEqualTo(stray);
        }
    }

    @Test
    void aPooledConnectionThatSendsBytesWhileIdleIsClosedAndNotUsedAgain() throws Exception {
        try (RawClient c = new RawClient(address)) {
            assertThat(c.send(get("/late")).read().text()).isEqualTo("ok");
            int late = upstream.lastConnection;
            // the stray response arrives while the connection sits in the pool: the gateway closes it
            dev.strata.gateway.testing.Await.until(() -> upstream.closedAfterLateBytes.contains(late));
            assertThat(c.send(get("/fine")).read().text()).isEqualTo("fine");
            assertThat(upstream.lastConnection).as("the next request goes on another connection").isNotEqualTo(late);
        }
    }

    @Test
    void aResponseToHeadKeepsItsLengthAndHasNoBody() throws Exception {
        try (RawClient c = new RawClient(address)) {
            RawClient.Response r = c.send("HEAD /head HTTP/1.1\r\nHost: a\r\n\r\n").read(true);
            assertThat(r.header("content-length")).isEqualTo("50");
            assertThat(c.send(get("/fine")).read().text()).isEqualTo("fine");
        }
    }

    @Test
    void bothTransferEncodingAndContentLengthReachAnHttp11ClientWithoutTheLength() throws Exception {
        try (RawClient c = new RawClient(address)) {
            c.send(get("/both"));
            String raw = readUntil(c.socket().getInputStream(), "\r\n0\r\n\r\n");
            assertThat(raw).startsWith("HTTP/1.1 200 OK\r\n").contains("Transfer-Encoding: chunked\r\n")
                    .doesNotContainIgnoringCase("Content-Length").endsWith("\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
            int both = upstream.lastConnection;
            assertThat(c.send(get("/fine")).read().text()).isEqualTo("fine");
            assertThat(upstream.lastConnection).as("an upstream connection that framed ambiguously is closed")
                    .isNotEqualTo(both);
        }
    }

    @Test
    void bothTransferEncodingAndContentLengthReachAnHttp10ClientReadToTheClose() throws Exception {
        try (RawClient c = new RawClient(address)) {
            c.send("GET /both HTTP/1.0\r\n\r\n");
            String raw = new String(c.socket().getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(raw).startsWith("HTTP/1.1 200 OK\r\n").contains("Connection: close\r\n")
                    .doesNotContainIgnoringCase("Content-Length").doesNotContainIgnoringCase("Transfer-Encoding")
                    .endsWith("\r\n\r\nhello");
        }
    }

    @Test
    void aResponseTransferCodingOtherThanChunkedIsKeptAndItsLengthDropped() throws Exception {
        try (RawClient c = new RawClient(address)) {
            c.send(get("/gzip"));
            String raw = readUntil(c.socket().getInputStream(), "\r\n0\r\n\r\n");
            assertThat(raw).contains("Transfer-Encoding: gzip, chunked\r\n").doesNotContainIgnoringCase("Content-Length");
            String body = raw.substring(raw.indexOf("\r\n\r\n") + 4);
            assertThat(body).isEqualTo(Integer.toHexString(GZIPPED.length()) + "\r\n" + GZIPPED + "\r\n0\r\n\r\n");
        }
    }

    @Test
    void aResponseTransferCodingOtherThanChunkedIs502ForAnHttp10Client() throws Exception {
        try (RawClient c = new RawClient(address)) {
            RawClient.Response r = c.send("GET /gzip HTTP/1.0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(502);
            assertThat(r.header("content-type")).isEqualTo("application/problem+json");
        }
    }

    @Test
    void aContentLengthNamedInConnectionStillReachesTheClient() throws Exception {
        try (RawClient c = new RawClient(address)) {
            RawClient.Response r = c.send(get("/cl-named")).read();
            assertThat(r.header("content-length")).isEqualTo("2");
            assertThat(r.text()).isEqualTo("ok");
            assertThat(c.send(get("/fine")).read().text()).isEqualTo("fine");
        }
    }

    @Test
    void fieldsForbiddenInTrailersDoNotReachTheClient() throws Exception {
        try (RawClient c = new RawClient(address)) {
            c.send(get("/bad-trailers"));
            String raw = readUntil(c.socket().getInputStream(), "\r\n0\r\nX-Checksum: 42\r\n\r\n");
            assertThat(raw).endsWith("\r\n\r\n5\r\nhello\r\n0\r\nX-Checksum: 42\r\n\r\n");
            assertThat(c.send(get("/fine")).read().text()).isEqualTo("fine");
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            if (b.size() >= 4 && b.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                return b.toString(StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    private static String readUntil(InputStream in, String end) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            b.write(c);
            if (b.toString(StandardCharsets.ISO_8859_1).endsWith(end)) {
                break;
            }
        }
        return b.toString(StandardCharsets.ISO_8859_1);
    }
}
