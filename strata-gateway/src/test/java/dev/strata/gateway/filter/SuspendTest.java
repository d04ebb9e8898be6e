package dev.strata.gateway.filter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.filter.builtin.BuiltInFilters;
import dev.strata.gateway.testing.OriginAndGateway;
import dev.strata.gateway.testing.Patterns;
import dev.strata.gateway.testing.RawClient;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The suspend verdict over real sockets: filters that wait for a decision made on another thread (here a
 * timer), resume with continue or a response, or run into their timeout; and a filter that throws.
 */
class SuspendTest {

    private static final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    /** Suspensions the filters that wait for the test handed over. */
    private static final BlockingQueue<Suspension> waiting = new LinkedBlockingQueue<>();
    /** How the requests of the {@code suspend_manual} filter ended. */
    private static final BlockingQueue<Outcome> outcomes = new LinkedBlockingQueue<>();

    record Outcome(int status, long bytes, boolean complete, boolean local) {}

    /** Suspends, and a timer resumes with {@code verdict} 100 ms later. */
    private static FilterType<TestFilters.None> resumedLater(String name, Verdict verdict) {
        return TestFilters.type(name, context -> {
            Suspension s = context.suspend(Duration.ofSeconds(30), Verdict.respond(LocalResponse.text(500, "timer lost")));
            timer.schedule(() -> s.resume(verdict), 100, TimeUnit.MILLISECONDS);
            return s.verdict();
        });
    }

    /** Suspends with {@code onTimeout} after 300 ms, and hands the suspension to the test. */
    private static FilterType<TestFilters.None> neverResumed(String name, Verdict onTimeout) {
        return TestFilters.type(name, context -> {
            Suspension s = context.suspend(Duration.ofMillis(300), onTimeout);
            waiting.add(s);
            return s.verdict();
        });
    }

    private static final FilterTypes TYPES = BuiltInFilters.types()
            .with(resumedLater("suspend_resume", Verdict.CONTINUE))
            .with(resumedLater("suspend_refuse", Verdict.respond(LocalResponse.text(429, "slow down\n"))))
            .with(neverResumed("suspend_timeout_503",
                    Verdict.respond(LocalResponse.problem(503, "the decision took too long", null, 1))))
            .with(neverResumed("suspend_timeout_continue", Verdict.CONTINUE))
            .with(TestFilters.type("suspend_manual", context -> {
                context.observe(new ResponseObserver() {
                    @Override
                    public void onComplete(ExchangeOutcome o) {
                        outcomes.add(new Outcome(o.status(), o.bytesSent(), o.complete(), o.local()));
                    }
                });
                Suspension s = context.suspend(Duration.ofSeconds(30), Verdict.respond(LocalResponse.text(500, "test lost")));
                waiting.add(s);
                return s.verdict();
            }))
            .with(TestFilters.type("suspend_inline", context -> {
                Suspension s = context.suspend(Duration.ofSeconds(30), Verdict.respond(LocalResponse.text(500, "lost")));
                assertThat(s.resume(Verdict.CONTINUE)).isTrue();
                return s.verdict();
            }))
            .with(TestFilters.type("boom", context -> {
                throw new IllegalStateException("the filter's own bug");
            }));

    @RegisterExtension
    static final OriginAndGateway env = new OriginAndGateway("o1", """
              routes:
                - {name: resume, path_prefix: /resume, filters: [{suspend_resume: {}}]}
                - {name: refuse, path_prefix: /refuse, filters: [{suspend_refuse: {}}]}
                - {name: t503, path_prefix: /timeout503, filters: [{suspend_timeout_503: {}}]}
                - {name: tcontinue, path_prefix: /timeoutcontinue, filters: [{suspend_timeout_continue: {}}]}
                - {name: manual, path_prefix: /manual, filters: [{suspend_manual: {}}]}
                - {name: inline, path_prefix: /inline, filters: [{suspend_inline: {}}]}
                - {name: boom, path_prefix: /boom, filters: [{boom: {}}]}
                - name: chain
                  path_prefix: /chain
                  filters:
                    - suspend_resume: {}
                    - headers: {request: {set: {X-After: resumed}}, response: {set: {X-After: resumed}}}
                - {name: rest, path_prefix: /}
            """, TYPES);

    @BeforeEach
    void clear() {
        waiting.clear();
        outcomes.clear();
    }

    @AfterAll
    static void stopTimer() {
        timer.shutdownNow();
    }

    @Test
    void aRequestResumedFromAnotherThreadReachesTheOrigin() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            for (int i = 0; i < 2; i++) {
                RawClient.Response r = c.send("GET /resume/" + i + " HTTP/1.1\r\nHost: a\r\n\r\n").read();
                assertThat(r.status()).isEqualTo(200);
                assertThat(r.text()).startsWith("o1 GET /resume/" + i + " 0");
            }
        }
        assertThat(env.origin().seen()).hasSize(2);
    }

    @Test
    void theRestOfTheChainRunsAfterTheResume() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("GET /chain HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("x-after")).isEqualTo("resumed");
        }
        assertThat(env.origin().seen().get(0).header("x-after")).isEqualTo("resumed");
    }

    @Test
    void aRequestResumedWithAResponseGetsItAndTheOriginNothing() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("GET /refuse HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(429);
            assertThat(r.text()).isEqualTo("slow down\n");
            assertThat(r.header("content-type")).isEqualTo("text/plain; charset=utf-8");
            assertThat(r.header("connection")).isNull();
            assertThat(c.send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
        }
        assertThat(env.origin().seen()).extracting(s -> s.uri()).containsExactly("/after");
    }

    @Test
    void aSuspensionNeverResumedAnswersWithItsTimeoutResponse() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("GET /timeout503 HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.header("retry-after")).isEqualTo("1");
            assertThat(r.header("content-type")).isEqualTo("application/problem+json");
            assertThat(r.text()).contains("the decision took too long");
            Suspension late = waiting.poll(20, TimeUnit.SECONDS);
            assertThat(late.resume(Verdict.CONTINUE)).as("a resume after the timeout does nothing").isFalse();
            assertThat(c.send("GET /after HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
        }
        assertThat(env.origin().seen()).extracting(s -> s.uri()).containsExactly("/after");
    }

    @Test
    void aSuspensionNeverResumedGoesOnWhenItsTimeoutSaysContinue() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("GET /timeoutcontinue HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).startsWith("o1 GET /timeoutcontinue");
        }
        assertThat(waiting.poll(20, TimeUnit.SECONDS).resume(Verdict.CONTINUE)).isFalse();
    }

    @Test
    void aSuspensionResumedBeforeTheFilterReturnedGoesOn() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            assertThat(c.send("GET /inline HTTP/1.1\r\nHost: a\r\n\r\n").read().text()).startsWith("o1 GET /inline");
        }
    }

    @Test
    void aBodyThatCameWithTheHeadReachesTheOriginWholeAfterTheResume() throws Exception {
        String body = "the body of a suspended request";
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response sized = c.send("POST /resume/cl HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length()
                    + "\r\n\r\n" + body).read();
            assertThat(sized.text()).isEqualTo("o1 POST /resume/cl " + body.length() + " " + crc(body));
            RawClient.Response chunked = c.send("POST /resume/chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "a\r\nthe body o\r\n" + Integer.toHexString(body.length() - 10) + "\r\n" + body.substring(10)
                    + "\r\n0\r\n\r\n").read();
            assertThat(chunked.text()).isEqualTo("o1 POST /resume/chunked " + body.length() + " " + crc(body));
        }
    }

    @Test
    void aBodySentWhileTheRequestIsSuspendedReachesTheOriginWhole() throws Exception {
        String body = "sent while the filter waits";
        try (RawClient c = new RawClient(env.address())) {
            c.send("POST /manual/cl HTTP/1.1\r\nHost: a\r\nContent-Length: " + body.length() + "\r\n\r\n");
            Suspension s = waiting.poll(20, TimeUnit.SECONDS);
            c.send(body);
            assertThat(s.resume(Verdict.CONTINUE)).isTrue();
            assertThat(c.read().text()).isEqualTo("o1 POST /manual/cl " + body.length() + " " + crc(body));

            c.send("POST /manual/chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n");
            s = waiting.poll(20, TimeUnit.SECONDS);
            c.send(Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n");
            assertThat(s.resume(Verdict.CONTINUE)).isTrue();
            assertThat(c.read().text()).isEqualTo("o1 POST /manual/chunked " + body.length() + " " + crc(body));
        }
    }

    @Test
    void aLargeBodyWaitsInTheSocketWhileSuspendedAndArrivesWhole() throws Exception {
        long size = 4L << 20;
        try (RawClient c = new RawClient(env.address())) {
            c.send("PUT /manual/large HTTP/1.1\r\nHost: a\r\nContent-Length: " + size + "\r\n\r\n");
            Suspension s = waiting.poll(20, TimeUnit.SECONDS);
            AtomicReference<IOException> failed = new AtomicReference<>();
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    OutputStream out = c.output();
                    Patterns.write(out, size); // blocks once the socket buffers are full: nothing reads it yet
                } catch (IOException e) {
                    failed.set(e);
                }
            });
            timer.schedule(() -> s.resume(Verdict.CONTINUE), 200, TimeUnit.MILLISECONDS);
            RawClient.Response r = c.read();
            writer.join();
            assertThat(failed.get()).isNull();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("o1 PUT /manual/large " + size + " " + Patterns.crc(size));
        }
    }

    @Test
    void expectContinueIsAnsweredOnlyOnceTheSuspensionLetsTheRequestGoOn() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            c.send("PUT /manual/expect HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            assertThat(waiting.poll(20, TimeUnit.SECONDS).resume(Verdict.CONTINUE)).isTrue();
            assertThat(c.read().status()).isEqualTo(100);
            assertThat(c.send("abcde").read().text()).isEqualTo("o1 PUT /manual/expect 5 " + crc("abcde"));
        }
        try (RawClient c = new RawClient(env.address())) {
            c.send("PUT /manual/refused HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
            assertThat(waiting.poll(20, TimeUnit.SECONDS).resume(Verdict.respond(LocalResponse.text(429, "no"))))
                    .isTrue();
            RawClient.Response r = c.read();
            assertThat(r.status()).as("refused without asking for the body").isEqualTo(429);
            assertThat(r.header("connection")).isEqualTo("close");
        }
        assertThat(env.origin().seen()).extracting(s -> s.uri()).containsExactly("/manual/expect");
    }

    @Test
    void aClientThatResetsWhileSuspendedEndsTheRequestAndALaterResumeDoesNothing() throws Exception {
        Suspension s;
        try (RawClient c = new RawClient(env.address())) {
            c.send("GET /manual/gone HTTP/1.1\r\nHost: a\r\n\r\n");
            s = waiting.poll(20, TimeUnit.SECONDS);
            c.socket().setSoLinger(true, 0); // the close resets the connection
        }
        Outcome o = outcomes.poll(20, TimeUnit.SECONDS);
        assertThat(o).isNotNull();
        assertThat(o.status()).isEqualTo(499);
        assertThat(o.complete()).isFalse();
        assertThat(outcomes).isEmpty();
        assertThat(s.resume(Verdict.CONTINUE)).isFalse();
        assertThat(env.origin().seen()).isEmpty();
        try (RawClient c = new RawClient(env.address())) {
            assertThat(c.send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n").read().text()).startsWith("o1 GET /next");
        }
    }

    @Test
    void aClientThatHalfClosesWhileSuspendedStillGetsItsResponse() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            c.send("GET /manual/half HTTP/1.1\r\nHost: a\r\n\r\n");
            Suspension s = waiting.poll(20, TimeUnit.SECONDS);
            c.socket().shutdownOutput();
            assertThat(s.resume(Verdict.CONTINUE)).as("a FIN alone is a half-close: the request goes on").isTrue();
            RawClient.Response r = c.read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).startsWith("o1 GET /manual/half");
            assertThat(c.closedByPeer()).isTrue();
        }
        assertThat(outcomes.poll(20, TimeUnit.SECONDS).complete()).isTrue();
    }

    @Test
    void aClientThatClosesWhileSuspendedBreaksNothing() throws Exception {
        Suspension s;
        try (RawClient c = new RawClient(env.address())) {
            c.send("GET /manual/closed HTTP/1.1\r\nHost: a\r\n\r\n");
            s = waiting.poll(20, TimeUnit.SECONDS);
        }
        // the gateway sees a FIN (a half-close, see above), so the resume still counts; the response then
        // meets a closed socket
        s.resume(Verdict.CONTINUE);
        assertThat(outcomes.poll(20, TimeUnit.SECONDS)).isNotNull();
        try (RawClient c = new RawClient(env.address())) {
            assertThat(c.send("GET /next HTTP/1.1\r\nHost: a\r\n\r\n").read().text()).startsWith("o1 GET /next");
        }
    }

    @Test
    void aSecondResumeDoesNothing() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            c.send("GET /manual/twice HTTP/1.1\r\nHost: a\r\n\r\n");
            Suspension s = waiting.poll(20, TimeUnit.SECONDS);
            assertThat(s.resume(Verdict.CONTINUE)).isTrue();
            assertThat(s.resume(Verdict.respond(LocalResponse.text(429, "no")))).isFalse();
            assertThat(c.read().status()).isEqualTo(200);
        }
        assertThat(outcomes.poll(20, TimeUnit.SECONDS)).isEqualTo(new Outcome(200,
                ("o1 GET /manual/twice 0 0").length(), true, false));
    }

    @Test
    void aFilterThatThrowsGets500AndTheGatewayGoesOn() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("GET /boom HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(500);
            assertThat(r.header("content-type")).isEqualTo("application/problem+json");
            assertThat(r.text()).doesNotContain("the filter's own bug").doesNotContain("IllegalStateException");
            assertThat(c.send("GET /boom HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(500);
            assertThat(c.send("GET /fine HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
        }
        try (RawClient c = new RawClient(env.address())) {
            assertThat(c.send("GET /fine HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
        }
        assertThat(env.origin().seen()).extracting(s -> s.uri()).containsExactly("/fine", "/fine");
    }

    private static long crc(String s) {
        CRC32 c = new CRC32();
        c.update(s.getBytes(StandardCharsets.UTF_8));
        return c.getValue();
    }
}
