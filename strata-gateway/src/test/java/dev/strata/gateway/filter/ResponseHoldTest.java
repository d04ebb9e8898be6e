package dev.strata.gateway.filter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.filter.builtin.BuiltInFilters;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.OriginAndGateway;
import dev.strata.gateway.testing.RawClient;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A response held at its head ({@link ResponseEdits#hold}) over real sockets: nothing reaches the
 * client until the hold is released from another thread, then the whole response does (a body larger
 * than one read too); a hold that is never released lets the response go at its timeout; a local
 * response is not held; routes without the filter are untouched.
 */
class ResponseHoldTest {

    private static final BlockingQueue<ResponseHold> holds = new LinkedBlockingQueue<>();

    /** Holds every upstream head for {@code timeout} and hands the hold to the test. */
    private static FilterType<TestFilters.None> holding(String name, Duration timeout) {
        return TestFilters.type(name, context -> {
            context.observe(new ResponseObserver() {
                @Override
                public void onResponseHead(ResponseView response, ResponseEdits edits) {
                    edits.headers().set("X-Held", "yes");
                    holds.add(edits.hold(timeout));
                }
            });
            return Verdict.CONTINUE;
        });
    }

    private static final FilterTypes TYPES = BuiltInFilters.types()
            .with(holding("hold_manual", Duration.ofSeconds(30)))
            .with(holding("hold_short", Duration.ofMillis(300)));

    @RegisterExtension
    static final OriginAndGateway env = new OriginAndGateway("o1", """
              routes:
                - {name: manual, path_prefix: /manual, filters: [{hold_manual: {}}]}
                - {name: short, path_prefix: /short, filters: [{hold_short: {}}]}
                - {name: local, path_prefix: /local, filters: [{hold_manual: {}}], respond: {status: 204}}
                - {name: rest, path_prefix: /}
            """, TYPES);

    @BeforeEach
    void clear() {
        holds.clear();
    }

    @Test
    void aHeldResponseReachesTheClientOnlyOnceReleasedAndThenWhole() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            c.send("GET /manual/a HTTP/1.1\r\nHost: a\r\n\r\n");
            ResponseHold hold = holds.poll(20, TimeUnit.SECONDS);
            assertThat(hold).isNotNull();
            Thread.sleep(200);
            assertThat(c.socket().getInputStream().available()).as("nothing before the release").isZero();
            assertThat(hold.release()).isTrue();
            RawClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("X-Held")).as("the edits made before the hold apply").isEqualTo("yes");
            assertThat(r.text()).startsWith("o1 GET /manual/a 0");
            assertThat(hold.release()).as("once").isFalse();
            // the connection serves the next request as usual
            c.send("GET /manual/b HTTP/1.1\r\nHost: a\r\n\r\n");
            holds.poll(20, TimeUnit.SECONDS).release();
            assertThat(c.read().text()).startsWith("o1 GET /manual/b 0");
        }
    }

    @Test
    void aLargeBodyWaitsUnreadUpstreamAndArrivesWhole() throws Exception {
        byte[] big = new byte[3 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) 'x');
        String body = new String(big, java.nio.charset.StandardCharsets.US_ASCII);
        env.origin().script("/manual/big", seen -> Origin.Reply.of(200, body));
        env.origin().script("/manual/chunked", seen -> Origin.Reply.of(200, body).inChunks());
        for (String path : new String[] {"/manual/big", "/manual/chunked"}) {
            try (RawClient c = new RawClient(env.address())) {
                c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n\r\n");
                holds.poll(20, TimeUnit.SECONDS).release();
                RawClient.Response r = c.read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.bodyLength()).isEqualTo(big.length);
                java.util.zip.CRC32 crc = new java.util.zip.CRC32();
                crc.update(big);
                assertThat(r.bodyCrc()).isEqualTo(crc.getValue());
            }
        }
    }

    @Test
    void aHoldNeverReleasedLetsTheResponseGoAtItsTimeout() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("GET /short HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).startsWith("o1 GET /short 0");
            assertThat(holds.poll(20, TimeUnit.SECONDS).release()).as("too late").isFalse();
            assertThat(c.send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
        }
    }

    @Test
    void aLocalResponseIsNotHeld() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("GET /local HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(204);
            assertThat(holds.poll(20, TimeUnit.SECONDS).release()).isFalse();
        }
    }

    @Test
    void aClientThatLeavesWhileHeldEndsTheRequestAndALateReleaseDoesNothing() throws Exception {
        ResponseHold hold;
        try (RawClient c = new RawClient(env.address())) {
            c.send("GET /manual/gone HTTP/1.1\r\nHost: a\r\n\r\n");
            hold = holds.poll(20, TimeUnit.SECONDS);
        }
        hold.release(); // the exchange has ended or ends now: nothing is written anywhere
        try (RawClient c = new RawClient(env.address())) {
            assertThat(c.send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
        }
    }
}
