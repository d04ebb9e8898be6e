package dev.strata.gateway.warmup;

import dev.strata.gateway.config.GatewayConfig;
import dev.strata.gateway.config.RouteConfig;
import dev.strata.gateway.proxy.Http1Messages;
import dev.strata.gateway.proxy.ResponseDecoder;
import dev.strata.gateway.proxy.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The warm-up's clients and what they send: {@code connections} keep-alive connections to the warm-up
 * proxy, each sending the next request of the rotation ({@link #requests}) when the last response has
 * ended and replaced by a new one when it closes, and while there is churn left, one client alone that
 * leaves after each response. Shared by the clients; the counters are read by the thread that runs the
 * warm-up ({@link Warmup}).
 */
final class WarmupTraffic {

    private static final int CLOSE_EVERY = 256;

    final AtomicLong done = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicInteger open = new AtomicInteger();
    final AtomicInteger churnLeft = new AtomicInteger();
    volatile boolean running;
    Requests requests;
    Bootstrap client;
    int connections;

    /** While there is churn left, one client alone; the others once it is done. */
    void start() {
        running = true;
        for (int i = churning() ? connections - 1 : 0; i < connections; i++) {
            connect();
        }
    }

    /** Whether the next request is one of the churn's (its connection then closes after the response). */
    boolean churn() {
        if (!churning()) {
            return false;
        }
        if (churnLeft.decrementAndGet() == 0) {
            for (int i = 1; i < connections; i++) {
                connect();
            }
        }
        return true;
    }

    boolean churning() {
        return churnLeft.get() > 0;
    }

    /** Each client closes after its response in flight. */
    void stop() {
        running = false;
    }

    void connect() {
        if (running) {
            open.incrementAndGet();
            client.connect().addListener((ChannelFuture f) -> {
                if (!f.isSuccess()) {
                    failed.incrementAndGet();
                    open.decrementAndGet();
                }
            });
        }
    }

    void awaitClosed(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (open.get() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    static Bootstrap bootstrap(EventLoopGroup group, Transport transport, WarmupTraffic traffic,
                               InetSocketAddress target) {
        return new Bootstrap().group(group).channel(transport.socketChannel())
                .option(ChannelOption.TCP_NODELAY, true)
                .remoteAddress(target)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ResponseDecoder decoder = new ResponseDecoder();
                        ch.pipeline().addLast(decoder, new Client(traffic, decoder));
                    }
                });
    }

    /**
     * The requests the clients send in turn: for each route, a host and path it matches, with and without
     * the port of the first listener, and the request that closes a connection ({@code Connection: close}).
     */
    static Requests requests(GatewayConfig config) {
        List<byte[]> out = new ArrayList<>();
        String body = "x".repeat(64);
        int port = config.listeners().isEmpty() ? 80 : config.listeners().get(0).socketAddress().getPort();
        String close = null;
        // without routes, every request gets the gateway's own 404: that path is warmed instead
        List<RouteConfig> routes = config.routes().isEmpty()
                ? List.of(new RouteConfig("none", "*", "/", "none", null)) : config.routes();
        for (RouteConfig r : routes) {
            String host = r.host().equals("*") ? "warmup.invalid"
                    : r.host().startsWith("*.") ? "warmup" + r.host().substring(1) : r.host();
            String path = r.pathPrefix() + (r.pathPrefix().endsWith("/") ? "" : "/") + "warmup";
            String common = "User-Agent: strata-warmup\r\nAccept: */*\r\n";
            String plain = "Host: " + host + "\r\n" + common;
            String withPort = "Host: " + host + ":" + port + "\r\n" + common;
            if (close == null) {
                close = "GET " + path + " HTTP/1.1\r\n" + plain + "Connection: close\r\n\r\n";
            }
            String get = "GET " + path + " HTTP/1.1\r\n";
            String getWithPort = get + withPort + "\r\n";
            String getPlain = get + plain + "\r\n";
            String getQuery = "GET " + path + "?page=2&q=a%20b HTTP/1.1\r\n" + plain
                    + "Accept-Encoding: gzip\r\nCookie: session=abc\r\nX-Forwarded-For: 192.0.2.1\r\n\r\n";
            String getItem = "GET " + path + "/item HTTP/1.1\r\n" + withPort + "Connection: keep-alive\r\n\r\n";
            String head = "HEAD " + path + " HTTP/1.1\r\n" + withPort + "\r\n";
            String post = "POST " + path + " HTTP/1.1\r\n" + plain + "Content-Type: text/plain\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body;
            String postChunked = "POST " + path + " HTTP/1.1\r\n" + withPort + "Transfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
            // mostly GETs, as on most sites
            for (String req : List.of(getWithPort, getPlain, getQuery, getWithPort, getItem, getPlain, head,
                    getWithPort, post, getPlain, getQuery, getWithPort, getItem, postChunked, getPlain, getWithPort)) {
                out.add(bytes(req));
            }
        }
        return new Requests(out, bytes(close));
    }

    record Requests(List<byte[]> keepAlive, byte[] close) {}

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** A copy in a pooled direct buffer: what the gateway's own writes are, so its write path sees one buffer type. */
    static ByteBuf pooled(ChannelHandlerContext ctx, byte[] bytes) {
        return ctx.alloc().directBuffer(bytes.length).writeBytes(bytes);
    }

    /**
     * One client connection: sends the next request when the last response has ended. Once in every
     * {@value #CLOSE_EVERY} requests it asks for the connection to close; once it goes away without
     * waiting for the response, with a reset; once with a FIN; and once it closes an idle connection
     * after a response, the way most clients leave. A new connection replaces it.
     */
    private static final class Client extends ChannelInboundHandlerAdapter {
        private final WarmupTraffic traffic;
        private final ResponseDecoder decoder;
        private int sent;
        private boolean leaveAfterResponse;

        Client(WarmupTraffic traffic, ResponseDecoder decoder) {
            this.traffic = traffic;
            this.decoder = decoder;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            sent = ThreadLocalRandom.current().nextInt(CLOSE_EVERY);
            send(ctx);
        }

        private void send(ChannelHandlerContext ctx) {
            if (!traffic.running) {
                ctx.close();
                return;
            }
            List<byte[]> keepAlive = traffic.requests.keepAlive();
            int turn = ++sent % CLOSE_EVERY;
            byte[] request = turn == 0 ? traffic.requests.close() : keepAlive.get(sent % keepAlive.size());
            decoder.expectResponseTo(request[0] == 'H');
            if (turn == CLOSE_EVERY / 2 || turn == CLOSE_EVERY / 4) {
                if (turn == CLOSE_EVERY / 2) { // gone before the response: the gateway meets a reset
                    ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
                } // else gone with a FIN: the gateway reads the end of its input while the request runs
                ctx.writeAndFlush(pooled(ctx, request)).addListener(ChannelFutureListener.CLOSE);
                return;
            }
            leaveAfterResponse = turn == 3 * CLOSE_EVERY / 4 || traffic.churn();
            ctx.writeAndFlush(pooled(ctx, request));
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Http1Messages.Kind kind = Http1Messages.kind(msg);
            if (kind == Http1Messages.Kind.END) {
                traffic.done.incrementAndGet();
                if (decoder.reusable() && !leaveAfterResponse) {
                    send(ctx);
                } else {
                    ctx.close();
                }
            } else if (kind == Http1Messages.Kind.RESPONSE_HEAD) {
                if (Http1Messages.status(msg) >= 500) {
                    traffic.failed.incrementAndGet();
                }
            } else if (kind == Http1Messages.Kind.FAILURE) {
                traffic.failed.incrementAndGet();
                ctx.close();
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            traffic.open.decrementAndGet();
            traffic.connect(); // replaces this connection while the warm-up runs
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            traffic.failed.incrementAndGet();
            ctx.close();
        }
    }
}
