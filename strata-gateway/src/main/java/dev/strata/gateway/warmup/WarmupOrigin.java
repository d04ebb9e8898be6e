package dev.strata.gateway.warmup;

import static dev.strata.gateway.warmup.WarmupTraffic.bytes;
import static dev.strata.gateway.warmup.WarmupTraffic.pooled;

import dev.strata.gateway.config.GatewayConfig;
import dev.strata.gateway.proxy.Http1Messages;
import dev.strata.gateway.proxy.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;

/**
 * The warm-up's origin, standing in for every endpoint of every group: a fixed-length answer to GET and
 * HEAD, a chunked one to anything else; every {@value #CLOSE_EVERY}th answer on a connection closes it,
 * so that the gateway connects anew (and while the churn lasts, every answer to a GET).
 */
final class WarmupOrigin extends ChannelInboundHandlerAdapter {

    private static final int CLOSE_EVERY = 500;

    private static final String BODY = "warm " + ".".repeat(94) + "\n";
    // the fields most origins send (a parser that has only ever seen "Host" among four-letter names
    // would have its compiled code thrown away at the first "Date")
    private static final String COMMON = "Server: warmup\r\nDate: Sat, 28 Nov 2026 10:00:00 GMT\r\n"
            + "Content-Type: text/plain\r\n";
    private static final String PLAIN = "HTTP/1.1 200 OK\r\n" + COMMON;
    private static final byte[] FIXED = bytes(PLAIN + "Cache-Control: public, max-age=60\r\nContent-Length: "
            + BODY.length() + "\r\n\r\n" + BODY);
    private static final byte[] FIXED_CLOSE = bytes(PLAIN + "Connection: close\r\nContent-Length: "
            + BODY.length() + "\r\n\r\n" + BODY);
    private static final byte[] HEAD = bytes(PLAIN + "Cache-Control: public, max-age=60\r\nContent-Length: "
            + BODY.length() + "\r\n\r\n");
    private static final byte[] CHUNKED = bytes("HTTP/1.1 201 Created\r\n" + COMMON
            + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(BODY.length()) + "\r\n" + BODY
            + "\r\n0\r\n\r\n");

    private final WarmupTraffic traffic;
    private byte[] answer;
    private int answered;

    WarmupOrigin(WarmupTraffic traffic) {
        this.traffic = traffic;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        Http1Messages.Kind kind = Http1Messages.kind(msg);
        if (kind == Http1Messages.Kind.REQUEST_HEAD) {
            if (Http1Messages.refused(msg)) {
                ctx.close();
                return;
            }
            String method = Http1Messages.method(msg);
            answer = "HEAD".equals(method) ? HEAD : "GET".equals(method) ? FIXED : CHUNKED;
        } else if (kind == Http1Messages.Kind.END) {
            if (answer != null) {
                if ((++answered % CLOSE_EVERY == 0 || traffic.churning()) && answer == FIXED) {
                    ctx.writeAndFlush(pooled(ctx, FIXED_CLOSE)).addListener(ChannelFutureListener.CLOSE);
                } else {
                    ctx.writeAndFlush(pooled(ctx, answer));
                }
                answer = null;
            }
        } else if (kind == Http1Messages.Kind.FAILURE) {
            ctx.close();
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    static ServerBootstrap bootstrap(EventLoopGroup group, Transport transport, GatewayConfig config,
                                     WarmupTraffic traffic) {
        return new ServerBootstrap().group(group).channel(transport.serverChannel())
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(Http1Messages.requestDecoder(config::limits), new WarmupOrigin(traffic));
                    }
                });
    }
}
