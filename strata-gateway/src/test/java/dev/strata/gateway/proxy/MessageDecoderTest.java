package dev.strata.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.testing.Buffers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The two decoders on their own: what each input becomes (heads, body bytes, ends, failures),
 * whole and split into pieces of every size.
 */
class MessageDecoderTest {

    /** Decodes {@code input} fed in pieces of {@code piece} bytes; returns a readable transcript. */
    private static List<String> decode(EmbeddedChannel ch, String input, int piece) {
        byte[] bytes = input.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < bytes.length; i += piece) {
            ch.writeInbound(Unpooled.wrappedBuffer(bytes, i, Math.min(piece, bytes.length - i)));
        }
        return drain(ch);
    }

    private static List<String> drain(EmbeddedChannel ch) {
        List<String> out = new ArrayList<>();
        StringBuilder body = new StringBuilder();
        Object o;
        while ((o = ch.readInbound()) != null) {
            if (o instanceof ByteBuf b) {
                body.append(Buffers.text(b));
                continue;
            }
            if (!body.isEmpty()) {
                out.add("body " + body);
                body.setLength(0);
            }
            out.add(describe(o));
        }
        if (!body.isEmpty()) {
            out.add("body " + body);
        }
        return out;
    }

    private static String describe(Object o) {
        if (o instanceof RequestHead h) {
            return h.failureStatus != 0 ? "refused " + h.failureStatus : "request " + h.method + " " + h.target;
        }
        if (o instanceof ResponseHead h) {
            return "response " + h.status;
        }
        if (o instanceof BodyEnd e) {
            return e.trailers == null ? "end" : "end trailers " + new String(e.trailers, StandardCharsets.ISO_8859_1).strip();
        }
        if (o instanceof DecodeFailure f) {
            return "failure " + f.reason();
        }
        if (o instanceof ChunkExtensions e) {
            return "extensions " + e.bytes();
        }
        return o.toString();
    }

    private static EmbeddedChannel requests() {
        return new EmbeddedChannel(new RequestDecoder(() -> Limits.of("1KiB", "2KiB"), null));
    }

    private static EmbeddedChannel responses(boolean toHead) {
        ResponseDecoder d = new ResponseDecoder();
        d.expectResponseTo(toHead);
        return new EmbeddedChannel(d);
    }

    @ParameterizedTest(name = "pieces of {0} bytes")
    @ValueSource(ints = {1, 2, 3, 7, 64, 4096})
    void pipelinedRequestsWithEveryFramingComeOutTheSameHoweverSplit(int piece) {
        String input = "GET /a HTTP/1.1\r\nHost: x\r\n\r\n"
                + "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                + "PUT /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3;ext=\"v\"\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nX-Sum: 7\r\n\r\n"
                + "\r\nHEAD /d HTTP/1.0\r\n\r\n";
        assertThat(decode(requests(), input, piece)).containsExactly(
                "request GET /a", "end",
                "request POST /b", "body hello", "end",
                "request PUT /c", "extensions 8", "body abc0123456789abcdef", "end trailers X-Sum: 7",
                "request HEAD /d", "end");
    }

    @Test
    void headsArrivingInPiecesOnManyConnectionsAtOnceAreEachDecodedWhole() {
        EmbeddedChannel a = requests();
        EmbeddedChannel b = requests();
        String ha = "GET /from-a HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n\r\n";
        String hb = "DELETE /from-b HTTP/1.1\r\nHost: b\r\n\r\n";
        List<String> got = new ArrayList<>();
        for (int i = 0; i < Math.max(ha.length(), hb.length()); i += 5) {
            if (i < ha.length()) {
                got.addAll(decode(a, ha.substring(i, Math.min(i + 5, ha.length())), 5));
            }
            if (i < hb.length()) {
                got.addAll(decode(b, hb.substring(i, Math.min(i + 5, hb.length())), 5));
            }
        }
        assertThat(got).containsExactlyInAnyOrder("request GET /from-a", "end", "request DELETE /from-b", "end");
    }

    @Test
    void anUpstreamThatSendsBytesAfterItsResponseIsNotReused() {
        EmbeddedChannel ch = responses(false);
        assertThat(decode(ch, "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nzHTTP/1.1 2", 64))
                .containsExactly("response 200", "body z", "end");
        assertThat(((ResponseDecoder) ch.pipeline().first()).reusable()).isFalse();
    }

    @Test
    void aChunkSizeThatWouldOverflowIsRefused() {
        assertThat(decode(requests(), "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "1000000000000000\r\n", 64)).containsExactly("request POST /", "failure chunk size too large");
    }

    @Test
    void chunkDataMustEndWithCrlf() {
        assertThat(decode(requests(), "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "3\r\nabcX\r\n0\r\n\r\n", 64)).containsExactly("request POST /", "body abc",
                "failure chunk data not followed by CRLF");
    }

    @Test
    void nothingIsDecodedAfterARefusal() {
        assertThat(decode(requests(), "GET / HTTP/1.1\r\nHost : x\r\n\r\nGET /next HTTP/1.1\r\nHost: x\r\n\r\n", 64))
                .containsExactly("refused 400");
    }

    @Test
    void otherHttpVersionsAre505AndGarbageIs400() {
        assertThat(decode(requests(), "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 64)).containsExactly("refused 505");
        assertThat(decode(requests(), "GET / HTTZ/1.1\r\nHost: x\r\n\r\n", 64)).containsExactly("refused 400");
        assertThat(decode(requests(), "GET /\r\nHost: x\r\n\r\n", 64)).containsExactly("refused 400");
        assertThat(decode(requests(), "G(T / HTTP/1.1\r\nHost: x\r\n\r\n", 64)).containsExactly("refused 400");
    }

    @Test
    void limitsAreHeldWhetherOrNotTheHeadIsComplete() {
        assertThat(decode(requests(), "GET /" + "a".repeat(1100) + " HTTP/1.1\r\n\r\n", 64))
                .containsExactly("refused 414");
        assertThat(decode(requests(), "GET /" + "a".repeat(5000), 64)).containsExactly("refused 414");
        assertThat(decode(requests(), "GET / HTTP/1.1\r\nX: " + "b".repeat(2100) + "\r\n\r\n", 64))
                .containsExactly("refused 431");
        assertThat(decode(requests(), "GET / HTTP/1.1\r\n" + "X: b\r\n".repeat(1000), 64))
                .containsExactly("refused 431");
    }

    @ParameterizedTest(name = "pieces of {0} bytes")
    @ValueSource(ints = {1, 5, 4096})
    void responsesAreFramedByLengthChunksOrNothing(int piece) {
        EmbeddedChannel ch = responses(false);
        assertThat(decode(ch, "HTTP/1.1 100 Continue\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc"
                + "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n"
                + "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n"
                + "HTTP/1.1 304 Not Modified\r\n\r\n", piece)).containsExactly(
                "response 100", "response 200", "body abc", "end", "response 201", "body xy", "end",
                "response 204", "end", "response 304", "end");
        assertThat(((ResponseDecoder) ch.pipeline().first()).reusable()).isTrue();
    }

    @Test
    void aResponseToHeadHasNoBodyWhateverItsFieldsSay() {
        EmbeddedChannel ch = responses(true);
        assertThat(decode(ch, "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n", 64))
                .containsExactly("response 200", "end");
        assertThat(((ResponseDecoder) ch.pipeline().first()).reusable()).isTrue();
    }

    @Test
    void aResponseWithoutLengthRunsToTheEndOfTheConnection() {
        EmbeddedChannel ch = responses(false);
        List<String> got = decode(ch, "HTTP/1.0 200 OK\r\n\r\nsome bytes", 64);
        assertThat(got).containsExactly("response 200", "body some bytes");
        assertThat(((ResponseDecoder) ch.pipeline().first()).reusable()).isFalse();
        ch.finish();
        assertThat(drain(ch)).containsExactly("end");
    }

    @Test
    void chunkedWinsOverContentLengthButTheConnectionIsNotReused() {
        EmbeddedChannel ch = responses(false);
        assertThat(decode(ch, "HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "1\r\nz\r\n0\r\n\r\n", 64)).containsExactly("response 200", "body z", "end");
        assertThat(((ResponseDecoder) ch.pipeline().first()).reusable()).isFalse();
    }

    @Test
    void anUpstreamThatClosesAfterItsResponseIsNotReused() {
        EmbeddedChannel ch = responses(false);
        decode(ch, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 1\r\n\r\nz", 64);
        assertThat(((ResponseDecoder) ch.pipeline().first()).reusable()).isFalse();
    }

    @Test
    void malformedResponsesFail() {
        assertThat(decode(responses(false), "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 64))
                .containsExactly("failure invalid Content-Length in the response");
        assertThat(decode(responses(false), "HTTP/1.1 2x0 OK\r\n\r\n", 64)).containsExactly("failure malformed status line");
        assertThat(decode(responses(false), "ICY 200 OK\r\n\r\n", 64)).containsExactly("failure malformed status line");
        assertThat(decode(responses(false), "HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", 64))
                .containsExactly("failure malformed response head: obsolete line folding");
    }
}
