package dev.strata.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.util.List;

/**
 * Decodes upstream responses: a {@link ResponseHead}, the body's slices, a {@link BodyEnd}. Informational
 * (1xx) heads come without a body or end and are followed by the final response.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Body framing</b> follows RFC 9112 §6.3 in its order: none for a response to HEAD and for 1xx,
 *   204 and 304; chunked when Transfer-Encoding ends with chunked (its Content-Length, if any, is
 *   dropped from what the client gets, and the connection is not reused); to the end of the connection
 *   for any other Transfer-Encoding (whose codings the client gets, before the chunked the proxy adds) or
 *   without a length; a chunked that is not once and last is refused; otherwise the Content-Length, which must be one valid
 *   number.</li>
 *   <li><b>The request's method matters</b>: the exchange says {@link #expectResponseTo} before it
 *   writes each request.</li>
 *   <li>A malformed response becomes a {@link DecodeFailure}; nothing after it is decoded.</li>
 *   <li>Each head ends a call of {@code decode}, so that the pipeline hands it on before the next head
 *   is parsed: a {@link ResponseHead} is a view of the parse scratch.</li>
 * </ul>
 * Threading: one instance per upstream channel, confined to its event loop.
 */
public final class ResponseDecoder extends MessageDecoder {

    private static final int MAX_LINE = 8 * 1024;
    private static final int MAX_HEADERS = 64 * 1024;

    private final HeadParser parser = new HeadParser(true, false);

    // confined to the event loop
    private boolean headRequest;
    private boolean reusable = true;

    public ResponseDecoder() {
        super(MAX_HEADERS, MAX_CHUNK_EXTENSIONS);
    }

    /** The next response answers a request with this method ({@code head}: a HEAD request). */
    public void expectResponseTo(boolean head) {
        this.headRequest = head;
    }

    /**
     * Whether the last complete response left the connection fit for another request: its framing was
     * unambiguous, it ended by its own framing (not by the connection's end), and the upstream sent
     * nothing after it.
     */
    public boolean reusable() {
        return reusable && state == HEAD && actualReadableBytes() == 0;
    }

    @Override
    boolean decodeHead(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int r = feedOrFail(parser, in, out, MAX_LINE + MAX_HEADERS + 4, "response head");
        if (r < 0) {
            return false;
        }
        ResponseHead head = ResponseHead.of(parser, r);
        parser.reset();
        if (head == null) {
            fail(in, out, new DecodeFailure("malformed status line"));
            return false;
        }
        if (!head.transferEncoding && (head.contentLengths > 1 || (head.contentLengths == 1 && head.contentLength < 0))) {
            fail(in, out, new DecodeFailure("invalid Content-Length in the response"));
            return false;
        }
        if (head.transferEncoding && head.chunkedAnywhere && !head.chunkedOnceAndLast) {
            fail(in, out, new DecodeFailure("chunked not once and last in the response's Transfer-Encoding"));
            return false;
        }
        in.skipBytes(r);
        out.add(head);
        if (head.status < 200) {
            return false; // informational: the final response follows (after this head is handed on)
        }
        reusable = head.keepAlive() && !(head.transferEncoding && head.contentLengths > 0);
        if (headRequest || head.bodyless()) {
            endMessage(out, BodyEnd.EMPTY);
        } else if (head.transferEncoding) {
            if (head.chunkedOnceAndLast) {
                bodyChunked();
            } else {
                reusable = false;
                bodyUntilClose();
            }
        } else if (head.contentLengths == 1) {
            bodyFixed(out, head.contentLength);
        } else {
            reusable = false;
            bodyUntilClose();
        }
        return false; // the head is a view of the parse scratch: handed on before the next is parsed
    }
}
