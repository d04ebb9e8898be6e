package dev.strata.gateway.proxy;

import dev.strata.gateway.filter.HeaderEdits;
import dev.strata.gateway.filter.LocalResponse;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import dev.strata.gateway.health.Outcome;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
 * <p>An observer may hold the upstream's head back ({@link dev.strata.gateway.filter.ResponseEdits#hold}):
 * it stays {@link State#HEAD_HELD}, the upstream is not read, and what of the body (and its end) came in
 * the same read joins the held head, until the hold is released or the connection's {@code SUSPEND}
 * timer runs out.
 *
 * <p>It is what the leased connection's {@link UpstreamHandler} reports to: the response's head, body
 * and end, and the connection's failure, which before any response is the attempt's to retry.
 *
 * <p>Threading: confined to the client channel's event loop.
 */
final class ResponseRelay implements UpstreamHandler.Listener {

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

    private static final Logger log = LoggerFactory.getLogger(ResponseRelay.class);

    private final ChannelHandlerContext ctx;

    // the running exchange's (see reset); confined to the event loop
    private Exchange exchange;
    State state;                 // LocalRelay sets it for a local response
    private boolean chunked;     // re-framed as chunks for the client
    private ByteBuf heldHead;
    long bytes;                  // and this
    private boolean readWanted;  // an upstream read waits for the client to become writable
    private final LocalRelay localRelay;
    private FilterRun.Held holding; // the head waits for this hold; null for almost every response
    private boolean endHeld;        // the body's end waits with it

    /** One per client connection, serving its exchanges one after the other (see {@link #reset}). */
    ResponseRelay(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.localRelay = new LocalRelay(ctx, this);
    }

    /**
     * Serves {@code exchange} from now on. The previous exchange has finished: its attempt let go of the
     * upstream connection (so no upstream event reaches this object for it) and {@link #release} freed
     * what it held.
     */
    ResponseRelay reset(Exchange exchange) {
        this.exchange = exchange;
        state = State.AWAITING;
        chunked = false;
        heldHead = null;
        bytes = 0;
        readWanted = false;
        localRelay.reset();
        holding = null;
        endHeld = false;
        return this;
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

    /** Writes a local response (see {@link LocalRelay}). */
    void local(LocalResponse r, HeaderEdits edits, boolean close) {
        localRelay.write(exchange, r, edits, close);
    }

    // ------------------------------------------------------------------ what the upstream sends

    @Override
    public void upstreamHead(ResponseHead head) {
        Exchange x = exchange;
        if (x.phase() != Exchange.Phase.PROXYING || started() || head.status < 200) {
            return; // informational: Expect is answered by the gateway and Upgrade is not forwarded
        }
        x.timers.disarm(ConnectionTimers.FIRST_BYTE);
        UpstreamAttempt attempt = x.attempt();
        attempt.firstByte();
        // an answer the endpoint marks as its degraded mode's is what every endpoint would say: kept, not retried
        Outcome outcome = Outcome.ofResponse(head.status,
                head.status >= 500 && head.header(Outcome.DEGRADED_FIELD) != null);
        attempt.answered(outcome);
        if (outcome == Outcome.GATEWAY_ERROR && head.status != 504 && attempt.retriedAfterServerError(head.status)) {
            return;
        }
        if (head.otherCodings && !x.request.http11 && !x.request.head && !head.bodyless()) {
            // RFC 9112 §6.1: no Transfer-Encoding to an HTTP/1.0 client, and without it the coded body
            // would be taken for the content itself
            attempt.end(null, false);
            LocalAnswer.problem(x, 502, "the upstream's response has a transfer coding an HTTP/1.0 client cannot take",
                    null, false);
            return;
        }
        x.status(head.status);
        FilterRun filters = x.filters();
        HeaderEdits edits = null;
        if (filters != null) {
            filters.upstreamHead(head);
            holding = filters.takeHold();
            LocalResponse replacement = filters.takeReplacement();
            if (replacement != null) {
                attempt.end(outcome, false); // its body, if any, is not read
                LocalAnswer.respond(x, replacement, false);
                return;
            }
            edits = filters.clientEdits();
        }
        boolean close = !x.clientKeepAlive || x.server.draining() || x.body.state() == RequestBody.State.RECEIVING;
        head(head, x.request, close, edits, x.snapshot.via());
        if (holding != null) {
            x.timers.arm(ConnectionTimers.SUSPEND, holding.timeoutMillis);
        }
    }

    /** A hold of this exchange's head was released (on this loop, see {@link FilterRun.Held}). */
    void released(FilterRun.Held h) {
        if (holding == h) {
            letHeadGo();
        }
    }

    /** The {@code SUSPEND} timer ran out while the head was held: it goes on anyway. */
    void holdTimedOut() {
        if (holding != null && holding.expire()) {
            letHeadGo();
        }
    }

    private void letHeadGo() {
        holding = null;
        exchange.timers.disarm(ConnectionTimers.SUSPEND);
        ByteBuf held = heldHead;
        if (held == null) {
            return;
        }
        heldHead = null;
        if (endHeld) {
            ctx.writeAndFlush(held).addListener(exchange);
            return;
        }
        state = State.STREAMING;
        ctx.write(held, ctx.voidPromise());
        ctx.flush();
        readComplete(exchange.attempt().channel());
    }

    @Override
    public void upstreamContent(ByteBuf data) {
        if (exchange.phase() != Exchange.Phase.PROXYING && state != State.DETACHED) {
            data.release();
            return;
        }
        FilterRun filters = exchange.filters();
        if (filters != null && filters.observed()) {
            filters.responseBody(data);
        }
        content(data);
    }

    @Override
    public void upstreamEnd(BodyEnd end) {
        Exchange x = exchange;
        State was = state;
        if ((x.phase() != Exchange.Phase.PROXYING && was != State.DETACHED) || !started() || complete()) {
            return;
        }
        if (x.body.state() == RequestBody.State.RECEIVING) {
            x.closeClientAfter(true); // the rest of the body will not be read
        }
        int status = x.status();
        UpstreamAttempt attempt = x.attempt();
        attempt.end(attempt.answer(status),
                x.body.state() == RequestBody.State.SENT && attempt.decoder().reusable());
        FilterRun filters = x.filters();
        if (filters != null && filters.observed()) {
            filters.responseEnd();
        }
        end(end, x);
        if (was == State.DETACHED) {
            x.finish(false);
        } else {
            x.client.flushes.client(ctx.channel());
        }
    }

    @Override
    public void upstreamReadComplete() {
        if (state == State.COMPLETE) {
            return; // its end was written, and its flush is in the batch
        }
        if (state != State.DETACHED) {
            exchange.client.flushes.client(ctx.channel());
        }
        if (exchange.phase() != Exchange.Phase.FINISHED) {
            readComplete(exchange.attempt().channel());
        }
    }

    @Override
    public void upstreamWritabilityChanged() {
        exchange.upstreamWritabilityChanged();
    }

    /** The upstream connection closed or failed while this exchange held it. */
    @Override
    public void upstreamFailed(Throwable cause) {
        Exchange x = exchange;
        UpstreamAttempt attempt = x.attempt();
        if ((x.phase() != Exchange.Phase.PROXYING && state != State.DETACHED) || complete() || attempt.channel() == null) {
            return;
        }
        if (log.isDebugEnabled()) {
            log.debug("upstream {} failed for {} {}: {}", attempt.endpointId(), x.request.method, x.request.target,
                    cause == null ? "connection closed" : cause.toString());
        }
        x.timers.disarm(ConnectionTimers.FIRST_BYTE);
        if (!started()) {
            if (!attempt.retriedAfterReset()) {
                LocalAnswer.problem(x, 502, "the upstream closed the connection before responding", null, false);
            }
        } else {
            attempt.end(Outcome.RESET, false);
            x.cut(); // part of the response is out
        }
    }

    // ------------------------------------------------------------------ to the client

    /** The upstream's head: converted for the client and held (see the class comment). */
    private void head(ResponseHead response, RequestHead request, boolean close, HeaderEdits edits, byte[] via) {
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

    private void content(ByteBuf data) {
        if (state != State.HEAD_HELD && state != State.STREAMING) {
            data.release();
            return;
        }
        int n = data.readableBytes();
        bytes += n;
        ByteBuf held = heldHead;
        if (held != null) {
            if (n <= Wire.JOIN_LIMIT || holding != null) {
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
    private void end(BodyEnd end, ChannelFutureListener done) {
        State was = state;
        state = State.COMPLETE;
        if (was == State.DETACHED) {
            return;
        }
        ByteBuf last;
        if (holding != null) {
            Wire.appendEnd(heldHead, end, chunked);
            endHeld = true; // written when the hold ends
            return;
        }
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
    private void readComplete(Channel upstream) {
        if (state == State.COMPLETE) {
            return; // its end was written, and its flush is in the batch
        }
        if (state == State.DETACHED) {
            upstream.read();
            return;
        }
        if (holding != null) {
            return; // neither written nor read on until the hold ends
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
        if (localRelay.streaming()) {
            localRelay.pump();
        } else if (readWanted && ctx.channel().isWritable() && upstream != null) {
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
        holding = null;
        localRelay.release();
        if (heldHead != null) {
            heldHead.release();
            heldHead = null;
        }
    }
}
