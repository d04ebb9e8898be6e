package dev.strata.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.filter.FilterBuild;
import dev.strata.gateway.filter.FilterStates;
import dev.strata.gateway.filter.FilterType;
import dev.strata.gateway.filter.HttpFilter;
import dev.strata.gateway.filter.LocalResponse;
import dev.strata.gateway.filter.Suspension;
import dev.strata.gateway.filter.Verdict;
import dev.strata.gateway.filter.WarmupMode;
import dev.strata.gateway.filter.builtin.BuiltInFilters;
import dev.strata.gateway.metrics.GatewayMetrics;
import dev.strata.gateway.testing.Buffers;
import dev.strata.gateway.testing.Configs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The exchange's phases on an EmbeddedChannel, with time under the test's control: admission refusals,
 * a filter's local answer, a suspension resumed, timed out, or outlived by its client, the
 * header-read timeout's answer, which is an exchange like any other, and a small body read whole
 * before anything goes upstream.
 */
class ExchangePhasesTest {

    /** A filter that suspends every request for 100 ms and hands the suspension to the test. */
    static final AtomicReference<Suspension> waiting = new AtomicReference<>();

    record NoSettings() {}

    static final FilterType<NoSettings> WAIT = new FilterType<>() {
        @Override
        public String name() {
            return "wait";
        }

        @Override
        public Class<NoSettings> settings() {
            return NoSettings.class;
        }

        @Override
        public WarmupMode warmup() {
            return WarmupMode.OFF;
        }

        @Override
        public HttpFilter create(NoSettings settings, FilterBuild build) {
            return context -> {
                Suspension s = context.suspend(Duration.ofMillis(100),
                        Verdict.respond(LocalResponse.problem(503, "the decision did not come in time", null, 1)));
                waiting.set(s);
                return s.verdict();
            };
        }
    };

    static EventLoopGroup group;
    static ProxyServer server;
    EmbeddedChannel ch;

    @BeforeAll
    static void setUp() {
        Transport t = Transport.detect();
        group = t.newGroup(1, "test");
        server = new ProxyServer(t, group, new GatewayMetrics(), null, BuiltInFilters.types().with(WAIT),
                new FilterStates(new SimpleMeterRegistry()));
        server.installOnly(Configs.gateway("""
                  timeouts: {header_read: 50ms}
                  routes:
                    - {name: moved, host: "*", path_prefix: /old, respond: {status: 301, headers: {Location: /new}}}
                    - {name: waits, host: "*", path_prefix: /wait, upstream: app, filters: [{wait: {}}]}
                    - {name: default, host: "*", path_prefix: /, upstream: app}
                """, "127.0.0.1:9"));
    }

    @AfterAll
    static void tearDown() {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
    }

    @AfterEach
    void close() {
        ch.finishAndReleaseAll();
        waiting.set(null);
    }

    private void open() {
        ClientHandler handler = new ClientHandler(server);
        ch = new EmbeddedChannel(new RequestDecoder(() -> server.snapshot().config().limits(), handler), handler);
        ch.freezeTime();
    }

    private String send(String bytes) {
        ch.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
        ch.runPendingTasks();
        return Buffers.outbound(ch);
    }

    private void advance(long millis) {
        ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        ch.runPendingTasks();
    }

    @Test
    void aRouteThatAnswersItselfKeepsTheConnectionForTheNextRequest() {
        open();
        for (int i = 0; i < 2; i++) {
            String out = send("GET /old/page HTTP/1.1\r\nHost: a\r\n\r\n");
            assertThat(out).startsWith("HTTP/1.1 301 Moved Permanently\r\n").contains("Location: /new\r\n")
                    .contains("Content-Length: 0\r\n").contains("Date: ").doesNotContain("Connection: close");
            assertThat(ch.isOpen()).isTrue();
        }
    }

    @Test
    void aRefusedHeadIsAnsweredAndClosed() {
        open();
        String out = send("GET /x HTTP/1.1\r\n\r\n");
        assertThat(out).startsWith("HTTP/1.1 400 ").contains("exactly one Host").contains("Connection: close\r\n");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aSuspendedRequestWaitsUntilItsFilterResumesIt() {
        open();
        assertThat(send("GET /wait/1 HTTP/1.1\r\nHost: a\r\n\r\n")).isEmpty();
        advance(50);
        assertThat(Buffers.outbound(ch)).as("still waiting").isEmpty();
        assertThat(waiting.get().resume(Verdict.respond(LocalResponse.text(429, "slow down")))).isTrue();
        ch.runPendingTasks();
        String out = Buffers.outbound(ch);
        assertThat(out).startsWith("HTTP/1.1 429 Too Many Requests\r\n").endsWith("slow down");
        assertThat(ch.isOpen()).isTrue();
        advance(100);
        assertThat(Buffers.outbound(ch)).as("the timeout of a resumed suspension does nothing").isEmpty();
        assertThat(waiting.get().resume(Verdict.CONTINUE)).as("a second resume").isFalse();
    }

    @Test
    void aSuspensionThatTimesOutGoesOnWithTheTimeoutsVerdict() {
        open();
        assertThat(send("GET /wait/2 HTTP/1.1\r\nHost: a\r\n\r\n")).isEmpty();
        advance(99);
        assertThat(Buffers.outbound(ch)).isEmpty();
        advance(1);
        String out = Buffers.outbound(ch);
        assertThat(out).startsWith("HTTP/1.1 503 ").contains("Retry-After: 1\r\n").contains("did not come in time");
        assertThat(waiting.get().resume(Verdict.CONTINUE)).as("a resume after the timeout").isFalse();
        ch.runPendingTasks();
        assertThat(Buffers.outbound(ch)).isEmpty();
    }

    @Test
    void aClientThatLeavesWhileSuspendedVoidsTheSuspension() {
        open();
        send("GET /wait/3 HTTP/1.1\r\nHost: a\r\n\r\n");
        Suspension s = waiting.get();
        ch.close();
        assertThat(s.resume(Verdict.CONTINUE)).isFalse();
        ch.runPendingTasks();
        assertThat(Buffers.outbound(ch)).isEmpty();
    }

    @Test
    void aHeadThatDoesNotArriveInTimeGets408AsAnExchange() {
        open();
        assertThat(send("GET /slow HTTP/1.1\r\nHo")).isEmpty();
        advance(50);
        String out = Buffers.outbound(ch);
        assertThat(out).startsWith("HTTP/1.1 408 Request Timeout\r\n").contains("application/problem+json")
                .contains("Date: ").contains("Connection: close\r\n");
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aSmallBodyIsReadWholeBeforeAnEndpointIsPickedAndItsSilenceIs408() {
        open();
        assertThat(send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc")).isEmpty();
        assertThat(send("def")).isEmpty();
        assertThat(server.snapshot().upstreams().group("app").endpoints().get(0).inFlight())
                .as("nothing dispatched while the body is read").isZero();
        advance(server.snapshot().config().timeouts().bodyRead().toMillis());
        String out = Buffers.outbound(ch);
        assertThat(out).startsWith("HTTP/1.1 408 ").contains("did not arrive in time").contains("Connection: close\r\n");
        assertThat(ch.isOpen()).isFalse();
    }
}
