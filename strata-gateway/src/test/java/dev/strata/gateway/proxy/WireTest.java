package dev.strata.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.testing.Buffers;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Heads as they leave the proxy, byte for byte. */
class WireTest {

    private static final byte[] VIA = Wire.ascii("1.1 gw");
    private static final Wire.Peer UNTRUSTED = new Wire.Peer(Wire.ascii("10.0.0.9"), Wire.ascii("for=10.0.0.9"), false);
    private static final Wire.Peer TRUSTED = new Wire.Peer(Wire.ascii("10.0.0.9"), Wire.ascii("for=10.0.0.9"), true);

    private static <T> T decode(EmbeddedChannel ch, String head) {
        ch.writeInbound(Unpooled.copiedBuffer(head, StandardCharsets.ISO_8859_1));
        T t = ch.readInbound();
        ch.finishAndReleaseAll();
        return t;
    }

    private static RequestHead request(String head) {
        return decode(new EmbeddedChannel(new RequestDecoder(() -> Limits.of("8KiB", "32KiB"), null)), head);
    }

    private static ResponseHead response(String head) {
        ResponseDecoder d = new ResponseDecoder();
        d.expectResponseTo(true);
        return decode(new EmbeddedChannel(d), head);
    }

    @Test
    void requestGoesUpWithoutHopByHopFieldsAndWithForwardingFields() {
        RequestHead h = request("GET /p?q=1 HTTP/1.1\r\nHost: shop.example\r\nConnection: keep-alive, X-Private\r\n"
                + "X-Private: secret\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nUpgrade: h2c\r\n"
                + "Proxy-Connection: x\r\nAccept:  text/html \r\nX-Forwarded-For: 6.6.6.6\r\n"
                + "X-Forwarded-Proto: https\r\nForwarded: for=6.6.6.6\r\nVia: 1.0 edge\r\n\r\n");
        assertThat(Buffers.text(Wire.requestHead(ByteBufAllocator.DEFAULT, h, UNTRUSTED, VIA, null))).isEqualTo(
                "GET /p?q=1 HTTP/1.1\r\n"
                        + "Host: shop.example\r\n"
                        + "Accept:  text/html\r\n"
                        + "X-Forwarded-For: 10.0.0.9\r\n"
                        + "X-Forwarded-Proto: http\r\n"
                        + "X-Forwarded-Host: shop.example\r\n"
                        + "Forwarded: for=10.0.0.9;host=\"shop.example\";proto=http\r\n"
                        + "Via: 1.0 edge, 1.1 gw\r\n"
                        + "\r\n");
    }

    @Test
    void aTrustedPeersForwardingFieldsAreAppendedTo() {
        RequestHead h = request("POST /u HTTP/1.1\r\nHost: a\r\nX-Forwarded-For: 1.1.1.1\r\nX-Forwarded-For: 2.2.2.2\r\n"
                + "X-Forwarded-Proto: https\r\nX-Forwarded-Host: b\r\nForwarded: for=1.1.1.1\r\n"
                + "Transfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n");
        assertThat(Buffers.text(Wire.requestHead(ByteBufAllocator.DEFAULT, h, TRUSTED, null, null))).isEqualTo(
                "POST /u HTTP/1.1\r\n"
                        + "Host: a\r\n"
                        + "X-Forwarded-Proto: https\r\n"
                        + "X-Forwarded-Host: b\r\n"
                        + "Transfer-Encoding: chunked\r\n"
                        + "X-Forwarded-For: 1.1.1.1, 2.2.2.2, 10.0.0.9\r\n"
                        + "Forwarded: for=1.1.1.1, for=10.0.0.9;host=\"a\";proto=http\r\n"
                        + "\r\n");
    }

    @Test
    void anAbsoluteFormTargetGoesUpInOriginFormWithItsHost() {
        RequestHead h = request("GET http://other/x HTTP/1.0\r\nHost: ignored\r\nContent-Length: 0\r\n\r\n");
        assertThat(Buffers.text(Wire.requestHead(ByteBufAllocator.DEFAULT, h, UNTRUSTED, VIA, null))).isEqualTo(
                "GET /x HTTP/1.1\r\n"
                        + "Host: other\r\n"
                        + "Content-Length: 0\r\n"
                        + "X-Forwarded-For: 10.0.0.9\r\n"
                        + "X-Forwarded-Proto: http\r\n"
                        + "X-Forwarded-Host: other\r\n"
                        + "Forwarded: for=10.0.0.9;host=\"other\";proto=http\r\n"
                        + "Via: 1.1 gw\r\n"
                        + "\r\n");
    }

    @Test
    void aHostWithQuotesIsEscapedInForwarded() {
        RequestHead h = request("GET / HTTP/1.1\r\nHost: a\"b\r\n\r\n");
        assertThat(Buffers.text(Wire.requestHead(ByteBufAllocator.DEFAULT, h, UNTRUSTED, null, null)))
                .contains("Forwarded: for=10.0.0.9;host=\"a\\\"b\";proto=http\r\n");
    }

    @Test
    void responseGoesDownWithItsStatusAndReasonAndTheClientsFraming() {
        ResponseHead h = response("HTTP/1.0 404 Not Here\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\n"
                + "Content-Type: text/plain\r\nVia: 1.1 origin\r\n\r\n");
        assertThat(Buffers.text(Wire.responseHead(ByteBufAllocator.DEFAULT, h, true, false, true, VIA, null))).isEqualTo(
                "HTTP/1.1 404 Not Here\r\n"
                        + "Content-Type: text/plain\r\n"
                        + "Transfer-Encoding: chunked\r\n"
                        + "Via: 1.1 origin, 1.1 gw\r\n"
                        + "\r\n");
        assertThat(Buffers.text(Wire.responseHead(ByteBufAllocator.DEFAULT, response("HTTP/1.1 200\r\nContent-Length: 2\r\n\r\n"),
                false, true, false, null, null))).isEqualTo(
                "HTTP/1.1 200 \r\nContent-Length: 2\r\nConnection: close\r\n\r\n");
        assertThat(Buffers.text(Wire.responseHead(ByteBufAllocator.DEFAULT, response("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n"),
                false, false, false, null, null))).isEqualTo(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n");
    }

    @Test
    void chunksAreWrittenWithTheirHexSizeAndTheEndWithTrailers() {
        EmbeddedChannel ch = new EmbeddedChannel();
        Wire.writeBody(ch, ch.alloc(), Unpooled.copiedBuffer("x".repeat(300), StandardCharsets.ISO_8859_1), true);
        Wire.writeBody(ch, ch.alloc(), Unpooled.EMPTY_BUFFER, true);
        ch.writeOutbound(Wire.end(ch.alloc(), new BodyEnd(Wire.ascii("X-Sum: 1\r\n")), true));
        assertThat(Buffers.outbound(ch)).isEqualTo("12c\r\n" + "x".repeat(300) + "\r\n0\r\nX-Sum: 1\r\n\r\n");
    }

    @Test
    void responseHeadsThatArriveTogetherAreEachWrittenFromTheirOwnBytes() {
        // an interim response and the final one in one read, then a second response the upstream had
        // no business sending: each head is a view of the parse scratch, handed on before the next parse
        List<String> written = new ArrayList<>();
        ResponseDecoder d = new ResponseDecoder();
        d.expectResponseTo(false);
        EmbeddedChannel ch = new EmbeddedChannel(d, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof ResponseHead h) {
                    written.add(Buffers.text(Wire.responseHead(ctx.alloc(), h, false, false, true, null, null)));
                }
                ReferenceCountUtil.release(msg);
            }
        });
        ch.writeInbound(Unpooled.copiedBuffer("HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-First: yes\r\n\r\nok"
                + "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", StandardCharsets.ISO_8859_1));
        assertThat(written).containsExactly(
                "HTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-First: yes\r\n\r\n",
                "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n");
        ch.finishAndReleaseAll();
    }

    @Test
    void aResponseHeadKeptPastTheNextParseIsRefusedRatherThanWrittenWithAnothersBytes() {
        ResponseHead first = response("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n");
        ResponseHead second = response("HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n");
        assertThat(first.status).isEqualTo(200); // framing facts are its own and stay
        assertThatThrownBy(() -> Wire.responseHead(ByteBufAllocator.DEFAULT, first, false, false, true, null, null))
                .isInstanceOf(IllegalStateException.class);
        assertThat(Buffers.text(Wire.responseHead(ByteBufAllocator.DEFAULT, second, false, false, true, null, null)))
                .isEqualTo("HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n");
    }
}
