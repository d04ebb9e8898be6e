package dev.strata.gateway.proxy;

import dev.strata.gateway.config.LimitsConfig;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import java.util.List;
import java.util.function.Supplier;

/**
 * Decodes client requests: a {@link RequestHead}, the body's slices, a {@link BodyEnd} (also for a
 * request without a body, so that every request ends the same way).
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Refusals.</b> A head that breaks the syntax or framing rules (see {@link HeadParser} and
 *   {@link RequestHead#framingProblem()}) becomes a {@link RequestHead#failed failed head} with the
 *   status to answer: 400, 414 when the request line exceeds its limit, 431 when the header section
 *   does, 501 for a transfer coding other than chunked ({@code gzip, chunked}), 505 for another HTTP
 *   version. A malformed chunk becomes a {@link DecodeFailure}. Either way
 *   nothing after it is decoded, so no byte of a refused request can reach an upstream.</li>
 *   <li><b>Limits.</b> At most {@code maxRequestLine + maxHeaderSize + 4} bytes are buffered while a head
 *   is incomplete; a complete head is held to the two limits separately.</li>
 * </ul>
 * Threading: one instance per client channel, confined to its event loop.
 */
final class RequestDecoder extends MessageDecoder {

    /** Told when the first byte of a new request head arrives (the header-read timer starts). */
    interface HeadWatch {
        void headStarted();
    }

    private final Supplier<LimitsConfig> limits;
    private final HeadWatch watch;
    private final HeadParser parser = new HeadParser(true, true);

    // confined to the event loop
    private boolean headStarted;
    private int maxRequestLine; // the live limits, read when a head starts
    private int maxHeaderSize;

    /**
     * @param limits the live limits (a reload changes them for the next request head, also on
     *               established connections); trailer sections and chunk extensions keep the limits of
     *               the start
     */
    RequestDecoder(Supplier<LimitsConfig> limits, HeadWatch watch) {
        super(limits.get().maxHeaderSize().intBytes(), limits.get().maxChunkExtensions().intBytes());
        this.limits = limits;
        this.watch = watch;
    }

    @Override
    boolean decodeHead(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (!headStarted) {
            headStarted = true;
            LimitsConfig l = limits.get();
            maxRequestLine = l.maxRequestLine().intBytes();
            maxHeaderSize = l.maxHeaderSize().intBytes();
            if (watch != null) {
                watch.headStarted();
            }
        }
        int limit = maxRequestLine + maxHeaderSize + 4;
        int r = parser.feed(in, limit);
        if (r == HeadParser.INCOMPLETE) {
            if (parser.filled() >= limit) {
                refuse(in, out, parser.startLineSeen() ? 431 : 414, null);
            }
            return false;
        }
        if (r < 0) {
            refuse(in, out, 400, HeadParser.reason(r));
            return false;
        }
        if (parser.startLineEnd() - parser.startLineStart() > maxRequestLine) {
            refuse(in, out, 414, null);
            return false;
        }
        if (r - parser.startLineEnd() - 2 > maxHeaderSize) {
            refuse(in, out, 431, null);
            return false;
        }
        RequestHead head = RequestHead.of(parser, r);
        parser.reset();
        if (head.failureStatus != 0) {
            fail(in, out, head);
            return false;
        }
        String problem = head.framingProblem();
        if (problem != null) {
            fail(in, out, RequestHead.failed(400, problem));
            return false;
        }
        if (head.otherCodings) {
            // RFC 9112 §6.1: a transfer coding the server does not understand is 501. The gateway would
            // have to forward the codings (dechunking only) for an origin that may not know them either
            fail(in, out, RequestHead.failed(501, "transfer codings other than chunked are not supported"));
            return false;
        }
        in.skipBytes(r);
        out.add(head);
        if (head.chunked()) {
            bodyChunked();
        } else {
            bodyFixed(out, Math.max(head.contentLength, 0));
        }
        return true;
    }

    @Override
    void messageEnded() {
        headStarted = false;
    }

    private void refuse(ByteBuf in, List<Object> out, int status, String reason) {
        parser.reset();
        fail(in, out, RequestHead.failed(status, reason));
    }
}
