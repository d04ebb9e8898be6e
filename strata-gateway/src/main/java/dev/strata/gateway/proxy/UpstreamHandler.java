package dev.strata.gateway.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;

/**
 * Last handler of an upstream connection: passes what the upstream sends to the exchange that leases
 * the connection. While the connection sits idle in its pool no exchange is attached, and anything
 * the upstream sends (bytes or end-of-stream) closes it.
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

    // the exchange leasing this connection, or null while pooled; confined to the channel's event loop
    private Exchange exchange;

    void attach(Exchange exchange) {
        this.exchange = exchange;
    }

    void detach() {
        this.exchange = null;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Exchange x = exchange;
        if (x == null) {
            ReferenceCountUtil.release(msg);
            ctx.close();
            return;
        }
        if (msg instanceof HttpResponse r) {
            if (r.decoderResult().isFailure()) {
                ReferenceCountUtil.release(msg);
                x.upstreamFailed(r.decoderResult().cause());
                ctx.close();
                return;
            }
            x.upstreamResponse(r);
        }
        if (msg instanceof HttpContent c) {
            if (exchange != x) {
                c.release(); // the exchange let the connection go on the head (a retried 502/503)
                return;
            }
            x.upstreamContent(c);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Exchange x = exchange;
        if (x != null) {
            x.upstreamReadComplete();
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Exchange x = exchange;
        if (x != null) {
            x.upstreamWritabilityChanged();
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        Exchange x = exchange;
        if (x != null) {
            x.upstreamFailed(null);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Exchange x = exchange;
        if (x != null) {
            x.upstreamFailed(cause);
        }
        ctx.close();
    }
}
