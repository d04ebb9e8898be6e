package dev.strata.gateway.filter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.filter.builtin.BuiltInFilters;
import dev.strata.gateway.testing.Await;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.OriginAndGateway;
import dev.strata.gateway.testing.Patterns;
import dev.strata.gateway.testing.RawClient;
import io.netty.buffer.ByteBuf;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Response observers over real sockets: what a filter sees of the response as it streams, and of its end. */
class ResponseObserverTest {

    /** Every request's recorder, in the order the requests came. */
    private static final BlockingQueue<Recorder> recorders = new LinkedBlockingQueue<>();

    /** Records what one request's observer saw. Called on the event loop, read by the test. */
    static final class Recorder implements ResponseObserver {
        final boolean readToEnd;
        final CountDownLatch completed = new CountDownLatch(1);
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private int status = -1;
        private String servedBy;
        private boolean local;
        private int heads;
        private int chunks;
        private int ends;
        private int completes;
        private ExchangeOutcomeCopy outcome;

        Recorder(boolean readToEnd) {
            this.readToEnd = readToEnd;
        }

        @Override
        public synchronized void onResponseHead(ResponseView response, ResponseEdits edits) {
            heads++;
            status = response.status();
            servedBy = response.header("X-Served-By");
            local = response.local();
            edits.headers().set("X-Observed", Integer.toString(response.status()));
            if (readToEnd) {
                edits.readToEndWithoutClient();
            }
        }

        @Override
        public synchronized void onResponseBody(ByteBuf chunk) {
            chunks++;
            byte[] b = new byte[chunk.readableBytes()];
            chunk.getBytes(chunk.readerIndex(), b);
            body.writeBytes(b);
        }

        @Override
        public synchronized void onResponseEnd() {
            ends++;
        }

        @Override
        public synchronized void onComplete(ExchangeOutcome o) {
            completes++;
            outcome = new ExchangeOutcomeCopy(o.status(), o.bytesSent(), o.complete(), o.local(), o.endpoint());
            completed.countDown();
        }

        void awaitComplete() throws InterruptedException {
            assertThat(completed.await(20, TimeUnit.SECONDS)).as("onComplete").isTrue();
        }

        synchronized byte[] body() {
            return body.toByteArray();
        }

        synchronized long bodyCrc() {
            CRC32 c = new CRC32();
            c.update(body.toByteArray());
            return c.getValue();
        }
    }

    record ExchangeOutcomeCopy(int status, long bytesSent, boolean complete, boolean local, String endpoint) {}

    private static FilterType<TestFilters.None> observing(String name, boolean readToEnd) {
        return TestFilters.type(name, context -> {
            Recorder r = new Recorder(readToEnd);
            recorders.add(r);
            context.observe(r);
            return Verdict.CONTINUE;
        });
    }

    @RegisterExtension
    static final OriginAndGateway env = new OriginAndGateway("o1", """
              name: gw-test
              routes:
                - {name: watched, path_prefix: /, filters: [{observe: {}}]}
                - {name: filling, path_prefix: /fill, filters: [{observe_to_end: {}}]}
                - {name: filling-held, path_prefix: /held, filters: [{observe_to_end: {}}]}
                - {name: watched-held, host: watch.test, path_prefix: /held, filters: [{observe: {}}]}
                - {name: local, path_prefix: /local, filters: [{observe: {}}], respond: {status: 200, body: "local body"}}
            """, BuiltInFilters.types().with(observing("observe", false)).with(observing("observe_to_end", true)));

    @BeforeEach
    void clear() {
        recorders.clear();
    }

    @Test
    void anObserverSeesTheHeadEveryChunkTheEndAndTheOutcomeOnce() throws Exception {
        long size = 600_000;
        for (String path : new String[] {"/bytes/" + size, "/bytes/" + size + "?cl"}) {
            RawClient.Response r;
            try (RawClient c = new RawClient(env.address())) {
                r = c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
            }
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.bodyCrc()).isEqualTo(Patterns.crc(size));
            assertThat(r.header("x-observed")).as("the observer's edit").isEqualTo("200");
            Recorder o = recorders.poll(20, TimeUnit.SECONDS);
            o.awaitComplete();
            synchronized (o) {
                assertThat(o.heads).isEqualTo(1);
                assertThat(o.status).isEqualTo(200);
                assertThat(o.servedBy).isEqualTo("o1");
                assertThat(o.local).isFalse();
                assertThat(o.chunks).as("a body this size comes in pieces").isGreaterThan(1);
                assertThat(o.body().length).isEqualTo(size);
                assertThat(o.bodyCrc()).as("the chunks, joined, are the body the client got").isEqualTo(r.bodyCrc());
                assertThat(o.ends).isEqualTo(1);
                assertThat(o.completes).isEqualTo(1);
                assertThat(o.outcome).isEqualTo(new ExchangeOutcomeCopy(200, size, true, false, env.origin().address()));
            }
        }
    }

    @Test
    void aSmallBodyThatCameWithTheHeadIsSeenToo() throws Exception {
        RawClient.Response r;
        try (RawClient c = new RawClient(env.address())) {
            r = c.send("GET /small HTTP/1.1\r\nHost: a\r\n\r\n").read();
        }
        Recorder o = recorders.poll(20, TimeUnit.SECONDS);
        o.awaitComplete();
        assertThat(new String(o.body())).isEqualTo(r.text()).startsWith("o1 GET /small");
        synchronized (o) {
            assertThat(o.ends).isEqualTo(1);
            assertThat(o.outcome.bytesSent()).isEqualTo(r.body().length);
        }
    }

    @Test
    void aHeadRequestsObserverSeesNoBody() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            assertThat(c.send("HEAD /h HTTP/1.1\r\nHost: a\r\n\r\n").read(true).status()).isEqualTo(200);
        }
        Recorder o = recorders.poll(20, TimeUnit.SECONDS);
        o.awaitComplete();
        synchronized (o) {
            assertThat(o.heads).isEqualTo(1);
            assertThat(o.chunks).isZero();
            assertThat(o.ends).isEqualTo(1);
            assertThat(o.outcome.complete()).isTrue();
        }
    }

    @Test
    void anObserverOfALocalResponseSeesItsHeadAndOutcome() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("GET /local HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.text()).isEqualTo("local body");
            assertThat(r.header("x-observed")).isEqualTo("200");
        }
        Recorder o = recorders.poll(20, TimeUnit.SECONDS);
        o.awaitComplete();
        synchronized (o) {
            assertThat(o.local).isTrue();
            assertThat(o.status).isEqualTo(200);
            assertThat(o.outcome).isEqualTo(new ExchangeOutcomeCopy(200, "local body".length(), true, true, null));
        }
    }

    @Test
    void anObserverOfALocalResponseSeesItsBodyAndEnd() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            assertThat(c.send("GET /local HTTP/1.1\r\nHost: a\r\n\r\n").read().text()).isEqualTo("local body");
        }
        Recorder o = recorders.poll(20, TimeUnit.SECONDS);
        o.awaitComplete();
        assertThat(new String(o.body())).isEqualTo("local body");
        synchronized (o) {
            assertThat(o.ends).isEqualTo(1);
        }
    }

    @Test
    void withoutReadToEndAClientThatLeavesEndsTheUpstreamResponse() throws Exception {
        Origin origin = env.origin();
        long size = 1_000_000;
        try (RawClient c = new RawClient(env.address())) {
            c.send("GET /held/" + size + " HTTP/1.1\r\nHost: watch.test\r\n\r\n");
            readSome(c.socket().getInputStream());
            c.socket().setSoLinger(true, 0);
        }
        Recorder o = recorders.poll(20, TimeUnit.SECONDS);
        o.awaitComplete(); // the origin still holds the rest: the request ended with the client
        origin.releaseHeld();
        synchronized (o) {
            assertThat(o.ends).isZero();
            assertThat(o.completes).isEqualTo(1);
            assertThat(o.outcome.complete()).isFalse();
            assertThat(o.body().length).isLessThan((int) size);
        }
    }

    @Test
    void withReadToEndTheObserverSeesTheWholeBodyAfterTheClientLeft() throws Exception {
        Origin origin = env.origin();
        long size = 1_000_000;
        int before = origin.heldStarted();
        try (RawClient c = new RawClient(env.address())) {
            c.send("GET /held/" + size + " HTTP/1.1\r\nHost: a\r\n\r\n");
            readSome(c.socket().getInputStream());
            c.socket().setSoLinger(true, 0); // the close resets the connection: the gateway sees it at once
        }
        Recorder o = recorders.poll(20, TimeUnit.SECONDS);
        Await.until(() -> origin.heldStarted() > before);
        // the gateway has its chance to see the client leave while the rest of the body is held back (the
        // assertions below hold whichever comes first)
        Thread.sleep(300);
        assertThat(o.completed.getCount()).as("not complete while the upstream response goes on").isEqualTo(1);
        origin.releaseHeld();
        o.awaitComplete();
        synchronized (o) {
            assertThat(o.body().length).isEqualTo(size);
            assertThat(o.bodyCrc()).isEqualTo(Patterns.crc(size));
            assertThat(o.ends).isEqualTo(1);
            assertThat(o.completes).isEqualTo(1);
            assertThat(o.outcome.status()).isEqualTo(200);
            assertThat(o.outcome.complete()).as("the client did not get it all").isFalse();
            assertThat(o.outcome.bytesSent()).isLessThan(size);
        }
        try (RawClient c = new RawClient(env.address())) {
            assertThat(c.send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
        }
    }

    @Test
    void withReadToEndAClientThatStaysGetsTheWholeBody() throws Exception {
        long size = 300_000;
        RawClient.Response r;
        try (RawClient c = new RawClient(env.address())) {
            r = c.send("GET /fill/bytes HTTP/1.1\r\nHost: a\r\n\r\n").read();
        }
        Recorder o = recorders.poll(20, TimeUnit.SECONDS);
        o.awaitComplete();
        assertThat(new String(o.body())).isEqualTo(r.text());
        assertThat(o.outcome.complete()).isTrue();
        int before = env.origin().heldStarted();
        try (RawClient c = new RawClient(env.address())) {
            c.send("GET /held/" + size + " HTTP/1.1\r\nHost: a\r\n\r\n");
            Await.until(() -> env.origin().heldStarted() > before);
            env.origin().releaseHeld();
            RawClient.Response big = c.read();
            assertThat(big.bodyLength()).isEqualTo(size);
            assertThat(big.bodyCrc()).isEqualTo(Patterns.crc(size));
        }
        Recorder held = recorders.poll(20, TimeUnit.SECONDS);
        held.awaitComplete();
        assertThat(held.bodyCrc()).isEqualTo(Patterns.crc(size));
        assertThat(held.outcome.complete()).isTrue();
    }

    /** Reads the response head and the first bytes of its body, as a client that then gives up. */
    private static void readSome(InputStream in) throws Exception {
        byte[] buf = new byte[4096];
        int total = 0;
        while (total < 8192) {
            int n = in.read(buf);
            assertThat(n).isPositive();
            total += n;
        }
    }
}
