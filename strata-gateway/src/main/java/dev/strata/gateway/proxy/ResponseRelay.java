package dev.strata.gateway.proxy;

import dev.strata.gateway.filter.HeaderEdits;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;

/**
 * A response on its way from the upstream to the client, with backpressure: the upstream is read only
 * while the client channel is writable. The head is held until the end of the read it came in, so that
 * a small body that came with it joins it in one buffer. A body the upstream framed by chunks or by
 * closing is re-framed for the client: chunked for HTTP/1.1, to the close for HTTP/1.0.
 *
 * <p>When a response observer asked to read the response to its end without the client
 * ({@link dev.strata.gateway.filter.ResponseEdits#readToEndWithoutClient}), a client that goes away
 * leaves the relay {@link State#DETACHED}: the upstream is read on (as fast as it sends) for the
 * observers alone.
 *
 * <p>Threading: confined to the client channel's event loop.
 */
final class ResponseRelay {

    /** Where the response stands. */
    enum State {
        /** Nothing of a response has come (a retry may still happen). */
        AWAITING,
        /** The upstream's head is converted and held until the end of its read. */
        HEAD_HELD,
        /** The head went to the client; body pieces follow. */
        STREAMING,
        /** The client went away; the body is read on for the observers only. */
        DETACHED,
        /** The response (upstream's or local) is complete on the gateway's side. */
        COMPLETE
    }

    private final Exchange exchange;
    private final ChannelHandlerContext ctx;

    // confined to the event loop
    private State state = State.AWAITING;
    private boolean chunked;     // re-framed as chunks for the client
    private ByteBuf heldHead;
    private long bytes;
    private boolean readWanted;  // an upstream read waits for the client to become writable

    ResponseRelay(Exchange exchange, ChannelHandlerContext ctx) {
        this.exchange = exchange;
        this.ctx = ctx;
    }

    State state() {
        return state;
    }

    /** Whether the client has been given (or promised) anything of a response. */
    boolean started() {
        return state != State.AWAITING;
    }

    boolean complete() {
        return state == State.COMPLETE;
    }

    long bytes() {
        return bytes;
    }

    void localResponse(long bodyBytes) {
        state = State.COMPLETE;
        bytes = bodyBytes;
    }

    void streamedLocally(long bodyBytes) {
        state = State.STREAMING;
        bytes += bodyBytes;
    }

    void localEnded() {
        state = State.COMPLETE;
    }

    /** The upstream's head: converted for the client and held (see the class comment). */
    void head(ResponseHead response, RequestHead request, boolean close, HeaderEdits edits, byte[] via) {
        state = State.HEAD_HELD;
        boolean closing = close;
        if (!response.bodyless() && !request.head && (response.transferEncoding || response.contentLengths == 0)) {
            if (request.http11) {
                chunked = true;
            } else {
                closing = true; // an HTTP/1.0 client reads to the end of the connection
            }
        }
        exchange.closeClientAfter(closing);
        boolean chunkedHead = chunked || (request.head && response.transferEncoding && request.http11);
        heldHead = Wire.responseHead(ctx.alloc(), response, chunkedHead, closing, request.http11, via, edits);
    }

    void content(ByteBuf data) {
        if (state == State.DETACHED) {
            data.release();
            return;
        }
        if (state != State.HEAD_HELD && state != State.STREAMING) {
            data.release();
            return;
        }
        int n = data.readableBytes();
        bytes += n;
        ByteBuf held = heldHead;
        if (held != null) {
            if (n <= Wire.JOIN_LIMIT) {
                Wire.appendBody(held, data, chunked);
                data.release();
                return;
            }
            heldHead = null;
            state = State.STREAMING;
            ctx.write(held, ctx.voidPromise());
        }
        Wire.writeBody(ctx, ctx.alloc(), data, chunked);
    }

    /** The body's end: written with whatever is held; {@code done} hears when it is out. */
    void end(BodyEnd end, ChannelFutureListener done) {
        State was = state;
        state = State.COMPLETE;
        if (was == State.DETACHED) {
            return;
        }
        ByteBuf last;
        if (heldHead != null) {
            last = heldHead;
            heldHead = null;
            Wire.appendEnd(last, end, chunked);
        } else {
            last = Wire.end(ctx.alloc(), end, chunked);
        }
        ctx.write(last).addListener(done);
    }

    /** The upstream's read ended: what is held goes out, and the upstream is read on if the client can take it. */
    void readComplete(Channel upstream) {
        if (state == State.COMPLETE) {
            return; // its end was written, and its flush is in the batch
        }
        if (state == State.DETACHED) {
            upstream.read();
            return;
        }
        ByteBuf held = heldHead;
        if (held != null) {
            heldHead = null;
            state = State.STREAMING;
            ctx.write(held, ctx.voidPromise());
        }
        if (upstream != null) {
            if (ctx.channel().isWritable()) {
                readWanted = false;
                upstream.read();
            } else {
                readWanted = true;
            }
        }
    }

    void clientWritable(Channel upstream) {
        if (readWanted && ctx.channel().isWritable() && upstream != null) {
            readWanted = false;
            upstream.read();
        }
    }

    /** The client went away mid-response: the body is read on for the observers (see the class comment). */
    void detach(Channel upstream) {
        state = State.DETACHED;
        release();
        if (upstream != null) {
            upstream.read();
        }
    }

    void release() {
        if (heldHead != null) {
            heldHead.release();
            heldHead = null;
        }
    }
}
