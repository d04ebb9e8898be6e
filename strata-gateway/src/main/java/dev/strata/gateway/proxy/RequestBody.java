package dev.strata.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import java.util.ArrayDeque;

/**
 * A request's body on its way from the client to the upstream, with backpressure: the client is read only
 * while the upstream connection is writable, and body content that arrives before the connection exists
 * waits in {@code held} (at most one read's worth: no further read is asked for until the connection
 * is there). Counts the bytes, and a chunked body's extensions, against the route's {@code max_body}
 * as they arrive, and keeps the body-read timer, which
 * runs only while the gateway waits for the client, not while it holds off reading for a slow upstream.
 *
 * <p>Threading: confined to the client channel's event loop.
 */
final class RequestBody {

    /** Where the request stands between the client and the upstream. */
    enum State {
        /** More of the request (body, or its end) is to come from the client. */
        RECEIVING,
        /** The client has sent all of it; some may still be held. */
        RECEIVED,
        /** All of it has been written to the current upstream connection (the first-byte timer runs). */
        SENT
    }

    private final Exchange exchange;
    private final ChannelHandlerContext ctx;
    private final ConnectionTimers timers;
    private final boolean chunked;
    private final boolean present;

    // confined to the event loop
    private State state = State.RECEIVING;
    private long maxBody = Long.MAX_VALUE;
    private ArrayDeque<ByteBuf> held;
    private BodyEnd end;
    private long bytesUp;
    private long received;      // body bytes and chunk extensions from the client, against max_body
    private boolean readWanted; // a read waits for the upstream to become writable

    RequestBody(Exchange exchange, ChannelHandlerContext ctx, ConnectionTimers timers, RequestHead request) {
        this.exchange = exchange;
        this.ctx = ctx;
        this.timers = timers;
        this.chunked = request.failureStatus == 0 && request.chunked();
        this.present = request.failureStatus != 0 || request.hasBody(); // a refused head's framing is unknown
        if (request.failureStatus != 0) {
            state = State.RECEIVED; // nothing after a refused head is decoded
        }
    }

    State state() {
        return state;
    }

    /** Whether the request has a body (a refused head counts as one: its framing is unknown). */
    boolean present() {
        return present;
    }

    boolean chunked() {
        return chunked;
    }

    void limit(long maxBody) {
        this.maxBody = maxBody;
    }

    /** Whether any byte of the body has gone upstream (the request can no longer be retried). */
    boolean anySent() {
        return bytesUp > 0;
    }

    /** Whether content or the end has arrived that no connection has taken yet. */
    boolean anyHeld() {
        return (held != null && !held.isEmpty()) || end != null;
    }

    /** Chunk extensions of this many bytes came with the body: they count toward {@code max_body}. */
    void extensions(int bytes) {
        if (present && state == State.RECEIVING) {
            received += bytes;
            if (received > maxBody) {
                abandon();
                exchange.bodyTooLarge(maxBody);
            }
        }
    }

    /** A piece of the body from the client. */
    void content(ByteBuf data, Channel upstream) {
        if (!present || state != State.RECEIVING) {
            data.release();
            return;
        }
        received += data.readableBytes();
        if (received > maxBody) {
            data.release();
            abandon();
            exchange.bodyTooLarge(maxBody);
            return;
        }
        if (upstream == null) {
            if (held == null) {
                held = new ArrayDeque<>(4);
            }
            held.add(data);
        } else {
            write(upstream, data);
        }
    }

    /** The end of the request from the client; returns whether it is to be written to {@code upstream} now. */
    boolean ended(BodyEnd e) {
        timers.disarm(ConnectionTimers.BODY_READ);
        if (state == State.RECEIVING) {
            state = State.RECEIVED;
        }
        if (!present) {
            return false; // a bodiless request's end: its head went out complete
        }
        end = e;
        return true;
    }

    /** Nothing more of the request will be read (it was refused or answered, or failed). */
    void abandon() {
        if (state == State.RECEIVING) {
            state = State.RECEIVED;
        }
    }

    /**
     * Writes what is held to {@code upstream}, whose request head was just written; returns whether the
     * channel is still the attempt's afterwards.
     */
    boolean sendHeld(Channel upstream) {
        if (!present) {
            state = State.SENT;
            exchange.client.flushes.upstream(upstream); // flushed with the loop's batch
            sent();
            return true;
        }
        ByteBuf c;
        while (exchange.holds(upstream) && held != null && (c = held.poll()) != null) {
            write(upstream, c);
        }
        if (exchange.holds(upstream) && end != null) {
            writeEnd(upstream); // also again on a retry: no body byte went out before it
        }
        if (!exchange.holds(upstream)) {
            return false;
        }
        upstream.flush();
        return exchange.holds(upstream);
    }

    void writeEnd(Channel upstream) {
        if (chunked) {
            upstream.write(Wire.end(upstream.alloc(), end, true), upstream.voidPromise());
        }
        if (!exchange.holds(upstream)) {
            return;
        }
        state = State.SENT;
        upstream.flush();
        if (exchange.holds(upstream)) {
            sent();
        }
    }

    /** The request is written whole: the upstream's answer is awaited from now. */
    private void sent() {
        if (!timers.armed(ConnectionTimers.FIRST_BYTE)) {
            timers.arm(ConnectionTimers.FIRST_BYTE, exchange.config.timeouts().upstreamFirstByte().toMillis());
        }
    }

    private void write(Channel upstream, ByteBuf data) {
        int n = data.readableBytes();
        if (bytesUp + n > maxBody) {
            data.release();
            abandon();
            exchange.bodyTooLarge(maxBody);
            return;
        }
        bytesUp += n;
        Wire.writeBody(upstream, upstream.alloc(), data, chunked);
    }

    /** The client's read ended: flush what it gave, and read on while the upstream can take more. */
    void readComplete(Channel upstream) {
        if (upstream != null && state != State.SENT) {
            upstream.flush(); // once the request is sent (and flushed) nothing of it is left to flush
        }
        if (state == State.RECEIVING && upstream != null) {
            readIfWritable(upstream);
        }
    }

    void readIfWritable(Channel upstream) {
        if (upstream.isWritable()) {
            readWanted = false;
            read();
        } else {
            readWanted = true;
            timers.disarm(ConnectionTimers.BODY_READ); // the gateway, not the client, is waiting now
        }
    }

    void upstreamWritable(Channel upstream) {
        if (readWanted && upstream != null && upstream.isWritable() && state == State.RECEIVING) {
            readWanted = false;
            read();
        }
    }

    /** Asks for more of the request body, which must then arrive within {@code timeouts.body_read}. */
    void read() {
        timers.arm(ConnectionTimers.BODY_READ, exchange.config.timeouts().bodyRead().toMillis());
        ctx.read();
    }

    /** Lets go of held content. */
    void release() {
        if (held != null) {
            ByteBuf c;
            while ((c = held.poll()) != null) {
                c.release();
            }
        }
    }
}
