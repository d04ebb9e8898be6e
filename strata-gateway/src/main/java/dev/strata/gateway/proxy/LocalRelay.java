package dev.strata.gateway.proxy;

import dev.strata.gateway.filter.HeaderEdits;
import dev.strata.gateway.filter.LocalResponse;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;

/**
 * The gateway's own answer on its way to the client, for its {@link ResponseRelay}: the head, then the
 * body, bytes at once or a {@link dev.strata.gateway.filter.BodyStream} while the client takes it. It
 * moves the relay's state and byte count as the upstream's response would.
 *
 * <p>Threading: confined to the client channel's event loop, like its relay.
 */
final class LocalRelay {

    private final ChannelHandlerContext ctx;
    private final ResponseRelay relay;

    // the running exchange's (see reset)
    private Exchange exchange;
    private LocalResponses.Streamer streamer; // a local response's body being streamed
    private boolean pumping;   // pump is running (see there)
    private boolean pumpAgain;

    LocalRelay(ChannelHandlerContext ctx, ResponseRelay relay) {
        this.ctx = ctx;
        this.relay = relay;
    }

    void reset() {
        exchange = null;
        streamer = null;
        pumping = false;
        pumpAgain = false;
    }

    /** Whether a local body is being streamed. */
    boolean streaming() {
        return streamer != null;
    }

    /**
     * Writes a local response: its head, then its body (bytes at once; a stream while the client takes
     * it); {@code close} says {@code Connection: close} (a body of unknown length to an HTTP/1.0 client
     * must be read to the close).
     */
    void write(Exchange exchange, LocalResponse r, HeaderEdits edits, boolean close) {
        this.exchange = exchange;
        RequestHead request = exchange.request;
        int status = r.status();
        boolean bodiless = request.head || status == 204 || status == 304;
        long length = r.stream() != null ? r.stream().length() : r.body().length;
        ByteBuf head = LocalResponses.head(ctx.alloc(), r, edits, length, close, request.http11,
                exchange.config.name());
        if (r.stream() == null || bodiless) {
            if (r.stream() != null) {
                r.stream().close();
            }
            FilterRun filters = exchange.filters();
            if (!bodiless) {
                head.writeBytes(r.body());
                relay.bytes = r.body().length;
                if (filters != null && filters.observed() && relay.bytes > 0) {
                    filters.responseBody(Unpooled.wrappedBuffer(r.body()).asReadOnly());
                }
            }
            if (filters != null && filters.observed()) {
                filters.responseEnd();
            }
            relay.state = ResponseRelay.State.COMPLETE;
            ctx.writeAndFlush(head).addListener(exchange);
            return;
        }
        ctx.write(head, ctx.voidPromise());
        relay.state = ResponseRelay.State.STREAMING;
        LocalResponses.Streamer s = new LocalResponses.Streamer(r.stream(), length < 0 && request.http11);
        streamer = s;
        r.stream().onReady(() -> ctx.executor().execute(() -> {
            if (streamer == s) {
                pump();
            }
        }));
        pump();
    }

    /**
     * Writes the local stream while the client takes it. A write or flush may change the channel's
     * writability at once, and the change calls back here: such a call only asks for another round, so
     * that pieces never overtake each other.
     */
    void pump() {
        if (pumping) {
            pumpAgain = true;
            return;
        }
        pumping = true;
        try {
            do {
                pumpAgain = false;
                LocalResponses.Streamer s = streamer;
                if (s == null) {
                    return;
                }
                FilterRun filters = exchange.filters();
                long n = s.pump(ctx, filters != null && filters.observed() ? filters : null);
                if (s.failed()) {
                    relay.bytes += n;
                    ctx.flush(); // what was written is the client's; the close says the rest will not come
                    exchange.cut();
                    return;
                }
                if (n < 0) {
                    relay.bytes += -1 - n;
                    relay.state = ResponseRelay.State.COMPLETE;
                    streamer = null;
                    s.close();
                    if (filters != null && filters.observed()) {
                        filters.responseEnd();
                    }
                    ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(exchange);
                    return;
                }
                relay.bytes += n;
                ctx.flush();
            } while (pumpAgain && ctx.channel().isWritable());
        } finally {
            pumping = false;
        }
    }

    /** The exchange ends: a stream under way is closed. */
    void release() {
        if (streamer != null) {
            streamer.close();
            streamer = null;
        }
    }
}
