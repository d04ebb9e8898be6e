package dev.strata.gateway.filter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.filter.builtin.BuiltInFilters;
import dev.strata.gateway.testing.Await;
import dev.strata.gateway.testing.OriginAndGateway;
import dev.strata.gateway.testing.RawClient;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A {@link BodyStream} fed from elsewhere: it says when it has nothing yet ({@link BodyStream#ready}),
 * wakes the writer from another thread ({@link BodyStream#onReady}), and fails by throwing from
 * {@code next}, which closes the client's connection.
 */
class PendingBodyStreamTest {

    /** A stream another thread feeds: {@link #offer} pieces, then {@link #end} or {@link #fail}. */
    static final class Fed implements BodyStream {
        private final ArrayDeque<String> pieces = new ArrayDeque<>();
        private final long length;
        private boolean ended;
        private boolean failed;
        private volatile Runnable wake;
        volatile boolean closed;

        Fed(long length) {
            this.length = length;
        }

        synchronized void offer(String piece) {
            pieces.add(piece);
            wakeUp();
        }

        void end() {
            synchronized (this) {
                ended = true;
            }
            wakeUp();
        }

        void fail() {
            synchronized (this) {
                failed = true;
            }
            wakeUp();
        }

        private void wakeUp() {
            Runnable w = wake;
            if (w != null) {
                w.run();
            }
        }

        boolean writerWaits() {
            return wake != null;
        }

        @Override
        public long length() {
            return length;
        }

        @Override
        public synchronized boolean ready() {
            return !pieces.isEmpty() || ended || failed;
        }

        @Override
        public void onReady(Runnable wake) {
            this.wake = wake;
        }

        @Override
        public synchronized ByteBuf next(ByteBufAllocator alloc) {
            if (!pieces.isEmpty()) {
                return Unpooled.copiedBuffer(pieces.poll(), StandardCharsets.US_ASCII);
            }
            if (failed) {
                throw new UncheckedIOException(new IOException("source failed"));
            }
            return null;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    private static final AtomicReference<Fed> current = new AtomicReference<>();

    @RegisterExtension
    static final OriginAndGateway env = new OriginAndGateway("o1", """
              routes: [{name: fed, path_prefix: /, filters: [{feeding: {}}]}]
            """, BuiltInFilters.types().with(TestFilters.type("feeding", context -> {
                Fed fed = new Fed(context.request().path().equals("/known") ? 6 : -1);
                current.set(fed);
                return Verdict.respond(new LocalResponse(200, List.of("Content-Type", "text/plain"), null, fed));
            })));

    @Test
    void piecesFedLaterReachTheClientInOrder() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            c.send("GET /unknown HTTP/1.1\r\nHost: t\r\n\r\n");
            Await.until(() -> current.get() != null && current.get().writerWaits());
            Fed fed = current.get();
            fed.offer("one ");
            fed.offer("two ");
            new Thread(() -> {
                fed.offer("three");
                fed.end();
            }).start();
            RawClient.Response r = c.read();
            assertThat(r.text()).isEqualTo("one two three");
            Await.until(() -> fed.closed);
        }
    }

    @Test
    void aStreamThatFailsClosesTheConnection() throws Exception {
        current.set(null);
        try (RawClient c = new RawClient(env.address())) {
            c.send("GET /known HTTP/1.1\r\nHost: t\r\n\r\n");
            Await.until(() -> current.get() != null && current.get().writerWaits());
            Fed fed = current.get();
            fed.offer("abc");
            fed.fail();
            InputStream in = c.socket().getInputStream();
            byte[] all = in.readAllBytes(); // ends with the close
            String text = new String(all, StandardCharsets.ISO_8859_1);
            assertThat(text).startsWith("HTTP/1.1 200").contains("Content-Length: 6").endsWith("abc");
            Await.until(() -> fed.closed);
        }
    }
}
