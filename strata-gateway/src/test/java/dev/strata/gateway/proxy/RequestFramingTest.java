package dev.strata.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.config.GatewayConfig;
import dev.strata.gateway.metrics.GatewayMetrics;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Buffers;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The client pipeline in an EmbeddedChannel: what is refused, and with which status. */
class RequestFramingTest {

    static EventLoopGroup group;
    static ProxyServer server;

    @BeforeAll
    static void setUp() {
        Transport t = Transport.detect();
        group = t.newGroup(1, "test");
        server = new ProxyServer(t, group, new GatewayMetrics(), null, dev.strata.gateway.filter.builtin.BuiltInFilters.types(),
                new dev.strata.gateway.filter.FilterStates(new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
        GatewayConfig config = Configs.gateway("""
                  limits: {max_request_line: 1KiB, max_header_size: 2KiB, max_body: 1KiB}
                """, "127.0.0.1:9");
        server.installOnly(config);
    }

    @AfterAll
    static void tearDown() {
        group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
    }

    private static EmbeddedChannel channel() {
        ClientHandler handler = new ClientHandler(server);
        return new EmbeddedChannel(new RequestDecoder(() -> server.snapshot().config().limits(), handler), handler);
    }

    private static String exchange(String request) {
        EmbeddedChannel ch = channel();
        ch.writeInbound(Unpooled.copiedBuffer(request, StandardCharsets.ISO_8859_1));
        ch.runPendingTasks();
        String out = Buffers.outbound(ch);
        assertThat(ch.isOpen()).as("connection closed after the error").isFalse();
        ch.finishAndReleaseAll();
        return out;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dev.strata.gateway.proxy.Attacks#all")
    void framingAttackIsRefusedWith400AndClose(String name, String request) {
        String response = exchange(request);
        assertThat(response).startsWith("HTTP/1.1 400 ");
        assertThat(response).containsIgnoringCase("connection: close");
        assertThat(response).contains("application/problem+json");
        assertThat(response).doesNotContain("Exception").doesNotContain("\tat ");
        assertThat(server.snapshot().upstreams().group("app").endpoints().get(0).inFlight()).isZero();
    }

    @Test
    void longRequestLineIs414() {
        assertThat(exchange("GET /" + "a".repeat(2000) + " HTTP/1.1\r\nHost: a\r\n\r\n")).startsWith("HTTP/1.1 414 ");
    }

    @Test
    void largeHeaderSectionIs431() {
        String headers = "X-Pad: " + "b".repeat(200) + "\r\n";
        assertThat(exchange("GET / HTTP/1.1\r\nHost: a\r\n" + headers.repeat(20) + "\r\n")).startsWith("HTTP/1.1 431 ");
    }

    @Test
    void knownTooLargeBodyIs413BeforeAnyUpstreamContact() {
        String response = exchange("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 413 ");
        assertThat(server.snapshot().upstreams().group("app").endpoints().get(0).inFlight()).isZero();
    }

    @Test
    void unsupportedExpectationIs417() {
        String response = exchange("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: magic\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 417 ");
    }
}
