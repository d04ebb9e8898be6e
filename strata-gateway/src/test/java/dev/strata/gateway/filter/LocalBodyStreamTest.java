package dev.strata.gateway.filter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.filter.builtin.BuiltInFilters;
import dev.strata.gateway.testing.Await;
import dev.strata.gateway.testing.OriginAndGateway;
import dev.strata.gateway.testing.Patterns;
import dev.strata.gateway.testing.RawClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Local responses whose body is a {@link BodyStream}, pulled piece by piece while the client takes it. */
class LocalBodyStreamTest {

    private static final long SIZE = 2L << 20;
    private static final int PIECE = 16 * 1024;
    /** More than the socket buffers of both ends can hold. */
    private static final long HUGE = 256L << 20;

    /** The streams handed out, in the order of the requests. */
    private static final BlockingQueue<PatternStream> streams = new LinkedBlockingQueue<>();

    /** {@code size} pattern bytes in pieces of {@link #PIECE}. */
    static final class PatternStream implements BodyStream {
        private final long size;
        private final boolean lengthKnown;
        private final InputStream pattern;
        final AtomicLong given = new AtomicLong();
        final AtomicInteger closes = new AtomicInteger();

        PatternStream(long size, boolean lengthKnown) {
            this.size = size;
            this.lengthKnown = lengthKnown;
            this.pattern = Patterns.stream(size);
        }

        @Override
        public long length() {
            return lengthKnown ? size : -1;
        }

        @Override
        public ByteBuf next(ByteBufAllocator alloc) {
            try {
                byte[] piece = pattern.readNBytes(PIECE);
                if (piece.length == 0) {
                    return null;
                }
                given.addAndGet(piece.length);
                return alloc.buffer(piece.length).writeBytes(piece);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public void close() {
            closes.incrementAndGet();
        }
    }

    private static FilterType<TestFilters.None> streaming(String name, long size, boolean lengthKnown) {
        return TestFilters.type(name, context -> {
            PatternStream s = new PatternStream(size, lengthKnown);
            streams.add(s);
            return Verdict.respond(new LocalResponse(200, List.of("Content-Type", "application/octet-stream"), null, s));
        });
    }

    @RegisterExtension
    static final OriginAndGateway env = new OriginAndGateway("o1", """
              routes:
                - {name: known, path_prefix: /known, filters: [{stream_known: {}}]}
                - {name: unknown, path_prefix: /unknown, filters: [{stream_unknown: {}}]}
                - {name: huge, path_prefix: /huge, filters: [{stream_huge: {}}]}
                - {name: rest, path_prefix: /}
            """, BuiltInFilters.types()
                    .with(streaming("stream_known", SIZE, true))
                    .with(streaming("stream_unknown", SIZE, false))
                    .with(streaming("stream_huge", HUGE, true)));

    @BeforeEach
    void clear() {
        streams.clear();
    }

    @Test
    void aStreamOfKnownLengthArrivesWholeWithItsLength() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            for (int i = 0; i < 2; i++) {
                RawClient.Response r = c.send("GET /known HTTP/1.1\r\nHost: a\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.header("content-length")).isEqualTo(Long.toString(SIZE));
                assertThat(r.header("transfer-encoding")).isNull();
                assertThat(r.header("content-type")).isEqualTo("application/octet-stream");
                assertThat(r.bodyLength()).isEqualTo(SIZE);
                assertThat(r.bodyCrc()).isEqualTo(Patterns.crc(SIZE));
            }
            assertThat(c.send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n").read().text()).startsWith("o1 GET /after");
        }
        assertClosedOnce(streams.poll(1, TimeUnit.SECONDS));
        assertClosedOnce(streams.poll(1, TimeUnit.SECONDS));
    }

    @Test
    void aStreamOfUnknownLengthIsChunkedForAnHttp11Client() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("GET /unknown HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("transfer-encoding")).isEqualTo("chunked");
            assertThat(r.header("content-length")).isNull();
            assertThat(r.bodyLength()).isEqualTo(SIZE);
            assertThat(r.bodyCrc()).isEqualTo(Patterns.crc(SIZE));
            assertThat(c.send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
        }
        assertClosedOnce(streams.poll(1, TimeUnit.SECONDS));
    }

    @Test
    void aStreamOfUnknownLengthGoesToTheCloseForAnHttp10Client() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("GET /unknown HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("transfer-encoding")).isNull();
            assertThat(r.header("content-length")).isNull();
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(r.bodyLength()).isEqualTo(SIZE);
            assertThat(r.bodyCrc()).isEqualTo(Patterns.crc(SIZE));
        }
        assertClosedOnce(streams.poll(1, TimeUnit.SECONDS));
    }

    @Test
    void headGetsTheLengthAndNoBodyAndTheStreamIsClosed() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("HEAD /known HTTP/1.1\r\nHost: a\r\n\r\n").read(true);
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("content-length")).isEqualTo(Long.toString(SIZE));
            assertThat(c.send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n").read().text()).startsWith("o1 GET /after");
        }
        PatternStream s = streams.poll(1, TimeUnit.SECONDS);
        assertClosedOnce(s);
        assertThat(s.given.get()).isZero();
    }

    @Test
    void aClientThatStopsReadingIsNotOutrunAndItsLeavingClosesTheStream() throws Exception {
        PatternStream s;
        try (RawClient c = new RawClient(env.address())) {
            c.send("GET /huge HTTP/1.1\r\nHost: a\r\n\r\n");
            s = streams.poll(20, TimeUnit.SECONDS);
            // the client reads nothing: the writer stops pulling once the socket buffers are full
            Await.until(() -> s.given.get() > 0);
            long pulled;
            do {
                pulled = s.given.get();
                Thread.sleep(200);
            } while (s.given.get() != pulled);
            assertThat(pulled).as("pulled while the client read nothing").isLessThan(HUGE / 4);
            c.socket().setSoLinger(true, 0);
        }
        Await.until(() -> s.closes.get() > 0);
        assertClosedOnce(s);
        try (RawClient c = new RawClient(env.address())) {
            assertThat(c.send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
        }
    }

    private static void assertClosedOnce(PatternStream s) throws InterruptedException {
        assertThat(s).isNotNull();
        Await.until(() -> s.closes.get() > 0);
        assertThat(s.closes.get()).as("closed exactly once").isEqualTo(1);
    }
}
