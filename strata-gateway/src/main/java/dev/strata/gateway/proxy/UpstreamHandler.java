package dev.strata.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Last handler of an upstream connection: passes what the upstream sends to the exchange that leases
 * the connection. While the connection sits idle in its pool no exchange is attached, and anything
 * the upstream sends (bytes or end-of-stream) closes it.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

    final ResponseDecoder decoder;

    /** What hears of the response while the connection is leased. */
    interface Listener {
        void upstreamHead(ResponseHead head);

        void upstreamContent(ByteBuf data);

        void upstreamEnd(BodyEnd end);

        void upstreamReadComplete();

        void upstreamWritabilityChanged();

        /** The connection failed or closed; {@code cause} is {@code null} for a plain close. */
        void upstreamFailed(Throwable cause);
    }

    // the listener of the exchange leasing this connection, or null while pooled; confined to the channel's event loop
    private Listener exchange;

    UpstreamHandler(ResponseDecoder decoder) {
        this.decoder = decoder;
    }

    void attach(Listener exchange) {
        this.exchange = exchange;
    }

    void detach() {
        this.exchange = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Listener x = exchange;
        if (x == null) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (msg instanceof ByteBuf data) {
            x.upstreamContent(data);
        } else if (msg instanceof ResponseHead head) {
            x.upstreamHead(head);
        } else if (msg instanceof BodyEnd end) {
            x.upstreamEnd(end);
        } else if (msg instanceof DecodeFailure f) {
            x.upstreamFailed(new IllegalStateException(f.reason()));
            ctx.close();
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Listener x = exchange;
        if (x != null) {
            x.upstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Listener x = exchange;
        if (x != null) {
            x.upstreamWritabilityChanged();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Listener x = exchange;
        if (x != null) {
            x.upstreamFailed(null);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Listener x = exchange;
        if (x != null) {
            x.upstreamFailed(cause);
        }
        ctx.close();
    }
}
