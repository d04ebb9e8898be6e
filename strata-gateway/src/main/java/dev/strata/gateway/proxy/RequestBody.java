package dev.strata.gateway.proxy;

import dev.strata.gateway.config.LimitsConfig;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import java.util.ArrayDeque;

/**
 * A request's body on its way from the client to the upstream: read whole first when it is small, else
 * streamed with backpressure.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Buffered, then sent.</b> A body declared no larger than {@code limits.buffer_body} (64 KiB),
 *   or a chunked one until it grows past that, is read whole into one pooled buffer before the request
 *   is dispatched ({@link #startBuffering}), as nginx's {@code proxy_request_buffering} does: a client
 *   that sends its body slowly then holds no upstream connection, and a pool of a few connections serves
 *   thousands of slow uploads. The bytes so held gateway-wide are bounded by
 *   {@code limits.buffered_bodies_total}; past that, bodies stream.</li>
 *   <li><b>Streamed.</b> A larger body goes upstream as it arrives: the client is read only while the
 *   upstream connection is writable, and content that arrives before the connection exists waits in
 *   {@code held} (at most one read's worth: no further read is asked for until the connection is
 *   there).</li>
 *   <li><b>Slow bodies.</b> Besides {@code timeouts.body_read} (the longest silence), a body must average
 *   {@code limits.min_body_rate} bytes a second after {@code limits.min_body_rate_grace}, not counting the
 *   time the gateway held off reading for a slow upstream (408 otherwise), as Apache's
 *   {@code mod_reqtimeout MinRate}: a client that trickles a byte every few seconds is let go in
 *   seconds, not after {@code timeouts.total}.</li>
 *   <li><b>Limits.</b> The bytes, and a chunked body's extensions, count against the route's
 *   {@code max_body} as they arrive. The body-read timer runs only while the gateway waits for the
 *   client, not while it holds off reading for a slow upstream.</li>
 * </ul>
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

    private final ChannelHandlerContext ctx;
    private final ConnectionTimers timers;

    // the running exchange's (see reset); confined to the event loop
    private Exchange exchange;
    private boolean chunked;
    private boolean present;
    private State state;
    private long maxBody;
    private ArrayDeque<ByteBuf> held;
    private BodyEnd end;
    private long bytesUp;
    private long received;      // body bytes and chunk extensions from the client, against max_body
    private ByteBuf buffered;   // the body read whole before dispatch, copied into one pooled buffer
    private boolean buffering;  // content goes into buffered until the end (or more than reserved) arrives
    private long reserved;      // bytes of the gateway's body-buffer budget this body holds
    private long clockStart;    // when the gateway began to want the body (0: not yet), for min_body_rate
    private long pausedNanos;   // time the gateway held off reading for a slow upstream
    private long pauseStart;
    private boolean readWanted; // a read waits for the upstream to become writable

    /** One per client connection, serving its exchanges one after the other (see {@link #reset}). */
    RequestBody(ChannelHandlerContext ctx, ConnectionTimers timers) {
        this.ctx = ctx;
        this.timers = timers;
    }

    /**
     * Serves {@code exchange} from now on. The previous exchange has finished and {@link #release released}
     * what it held: nothing of it reaches this object any more (its late events find it finished).
     */
    RequestBody reset(Exchange exchange, RequestHead request) {
        this.exchange = exchange;
        chunked = request.failureStatus == 0 && request.chunked();
        present = request.failureStatus != 0 || request.hasBody(); // a refused head's framing is unknown
        state = request.failureStatus != 0 ? State.RECEIVED : State.RECEIVING; // nothing after a refused head is decoded
        maxBody = Long.MAX_VALUE;
        end = null;
        bytesUp = 0;
        received = 0;
        buffered = null;
        buffering = false;
        reserved = 0;
        clockStart = 0;
        pausedNanos = 0;
        pauseStart = 0;
        readWanted = false;
        return this;
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
        return (held != null && !held.isEmpty()) || end != null || (buffered != null && buffered.isReadable());
    }

    /** What a request waits for before anything of it goes upstream. */
    enum Wait {
        NOTHING,
        /** The whole of a small body (no upstream connection is held while a slow client sends it). */
        WHOLE_BODY,
        /** The first chunk: a request whose first chunk size is invalid must not reach the upstream even in part. */
        FIRST_CHUNK
    }

    /**
     * The request was accepted and is about to go upstream: from now the body is wanted (its minimum rate
     * is measured from here), and this says what to wait for first. When it is something, the body is
     * asked for at once if {@code readNow} (the read that brought the head is over).
     */
    Wait beforeDispatch(LimitsConfig limits, boolean readNow) {
        Wait wait = Wait.NOTHING;
        if (present && state == State.RECEIVING) {
            if (clockStart == 0) {
                clockStart = System.nanoTime();
            }
            if (startBuffering(limits.bufferBody().bytes(), limits.bufferedBodiesTotal().bytes())) {
                wait = Wait.WHOLE_BODY;
            }
        }
        if (wait == Wait.NOTHING && chunked && !anyHeld()) {
            wait = Wait.FIRST_CHUNK;
        }
        if (wait != Wait.NOTHING && readNow) {
            read();
        }
        return wait;
    }

    /**
     * Starts reading the body whole, when it may be: it is declared no larger than {@code limit} (a chunked
     * body is buffered up to {@code limit} and streamed past it) and the gateway's budget has room.
     */
    private boolean startBuffering(long limit, long total) {
        if (limit <= 0 || (!chunked && exchange.request.contentLength > limit)) {
            return false;
        }
        long size = chunked ? limit : exchange.request.contentLength;
        long heldBytes = 0;
        if (held != null) {
            for (ByteBuf b : held) {
                heldBytes += b.readableBytes();
            }
        }
        if (heldBytes > size || !exchange.server.reserveBodyBuffer(size, total)) {
            return false;
        }
        reserved = size;
        buffering = true;
        buffered = ctx.alloc().buffer((int) Math.min(size, 16 * 1024), (int) size);
        ByteBuf c;
        while (held != null && (c = held.poll()) != null) {
            buffered.writeBytes(c);
            c.release();
        }
        return true;
    }

    /** Whether the body is still being read whole (the request waits for it). */
    boolean buffering() {
        return buffering;
    }

    /** Chunk extensions of this many bytes came with the body: they count toward {@code max_body}. */
    void extensions(int bytes) {
        if (present && state == State.RECEIVING) {
            received += bytes;
            if (received > maxBody) {
                exchange.bodyRefused(413, tooLarge());
            }
        }
    }

    /** A piece of the body from the client. */
    void content(ByteBuf data, Channel upstream) {
        if (!present || state != State.RECEIVING) {
            data.release();
            return;
        }
        int n = data.readableBytes();
        received += n;
        if (received > maxBody) {
            data.release();
            exchange.bodyRefused(413, tooLarge());
            return;
        }
        if (tooSlow()) {
            data.release();
            exchange.bodyRefused(408, "the request body arrived slower than "
                    + exchange.config.limits().minBodyRate().bytes() + " bytes per second");
            return;
        }
        if (buffering) {
            if (buffered.readableBytes() + n <= reserved) {
                buffered.writeBytes(data);
                data.release();
                return;
            }
            buffering = false; // larger than the buffer: the request goes upstream and the rest streams
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

    /**
     * Whether the body, {@code received} bytes so far, arrives slower than {@code limits.min_body_rate}
     * once {@code min_body_rate_grace} has passed: by now it should have taken at most grace + received /
     * rate, not counting the time the gateway held off reading for a slow upstream.
     */
    private boolean tooSlow() {
        long rate = exchange.config.limits().minBodyRate().bytes();
        if (rate <= 0 || clockStart == 0) {
            return false;
        }
        long now = System.nanoTime();
        long waited = now - clockStart - pausedNanos - (pauseStart != 0 ? now - pauseStart : 0);
        long allowed = exchange.config.limits().minBodyRateGrace().toNanos()
                + (long) (received * (1_000_000_000.0 / rate));
        return waited > allowed;
    }

    /** The end of the request from the client; returns whether it is to be written to {@code upstream} now. */
    boolean ended(BodyEnd e) {
        buffering = false;
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

    private String tooLarge() {
        return "the request body is larger than " + maxBody + " bytes";
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
        if (buffered != null) {
            ByteBuf b = buffered;
            buffered = null;
            releaseReservation(); // its bytes now wait in the connection's outbound buffer
            if (b.isReadable()) {
                write(upstream, b);
            } else {
                b.release();
            }
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
            exchange.bodyRefused(413, tooLarge());
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
            if (pauseStart == 0) {
                pauseStart = System.nanoTime();
            }
            timers.disarm(ConnectionTimers.BODY_READ); // the gateway, not the client, is waiting now
        }
    }

    void upstreamWritable(Channel upstream) {
        if (readWanted && upstream != null && upstream.isWritable() && state == State.RECEIVING) {
            readWanted = false;
            if (pauseStart != 0) {
                pausedNanos += System.nanoTime() - pauseStart;
                pauseStart = 0;
            }
            read();
        }
    }

    /** Asks for more of the request body, which must then arrive within {@code timeouts.body_read}. */
    void read() {
        timers.arm(ConnectionTimers.BODY_READ, exchange.config.timeouts().bodyRead().toMillis());
        ctx.read();
    }

    private void releaseReservation() {
        if (reserved > 0) {
            exchange.server.releaseBodyBuffer(reserved);
            reserved = 0;
        }
    }

    /** Lets go of held content. */
    void release() {
        buffering = false;
        if (buffered != null) {
            buffered.release();
            buffered = null;
        }
        releaseReservation();
        if (held != null) {
            ByteBuf c;
            while ((c = held.poll()) != null) {
                c.release();
            }
        }
    }
}
