package dev.strata.gateway.bench;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.testing.Configs;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.io.BufferedInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A quick load sanity check, not a benchmark: a tiny Netty origin, a gateway in front of it, and N
 * keep-alive clients sending GETs for a few seconds. Prints requests per second and errors, so that
 * one knows the hot path holds under concurrency. Peer comparisons use {@code bench/peers.yaml}.
 *
 * <pre>java -cp TEST_CLASSPATH dev.strata.gateway.bench.LoadCheck [clients] [seconds] [direct]</pre>
 * ({@code direct} measures the origin alone, for a baseline; {@code serve} only runs origin and gateway
 * for {@code seconds}, for an external load generator such as {@code wrk}.)
 */
public final class LoadCheck {

    private LoadCheck() {}

    public static void main(String[] args) throws Exception {
        int clients = args.length > 0 ? Integer.parseInt(args[0]) : 32;
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        EventLoopGroup originGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        byte[] hello = "hello".getBytes(StandardCharsets.US_ASCII);
        Channel origin = new ServerBootstrap().group(originGroup).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new SimpleChannelInboundHandler<HttpObject>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                                if (msg instanceof LastHttpContent) {
                                    var r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                                            Unpooled.wrappedBuffer(hello));
                                    r.headers().set("content-length", hello.length);
                                    ctx.writeAndFlush(r);
                                } else if (msg instanceof HttpRequest) {
                                    // wait for the end
                                }
                            }
                        });
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        int originPort = ((InetSocketAddress) origin.localAddress()).getPort();
        Gateway g = Gateway.start(Configs.gateway("  io_threads: 1\n", "127.0.0.1:" + originPort));
        if (args.length > 2 && args[2].equals("serve")) {
            // for an external load generator, e.g. wrk -c 64 -d 10s http://GATEWAY/
            System.out.println("origin=127.0.0.1:" + originPort + " gateway=" + hostPort(g.listenerAddress("main")));
            Thread.sleep(seconds * 1000L);
            g.close();
            origin.close();
            originGroup.shutdownGracefully();
            return;
        }
        boolean direct = args.length > 2 && args[2].equals("direct");
        InetSocketAddress address = direct ? (InetSocketAddress) origin.localAddress() : g.listenerAddress("main");
        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong ok = new AtomicLong();
        AtomicLong errors = new AtomicLong();
        byte[] request = "GET /load HTTP/1.1\r\nHost: bench\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            Thread t = new Thread(() -> {
                try (Socket s = new Socket(address.getAddress(), address.getPort())) {
                    s.setTcpNoDelay(true);
                    OutputStream out = s.getOutputStream();
                    InputStream in = new BufferedInputStream(s.getInputStream());
                    while (!stop.get()) {
                        out.write(request);
                        out.flush();
                        if (readResponse(in)) {
                            ok.incrementAndGet();
                        } else {
                            errors.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    errors.incrementAndGet();
                }
            });
            t.start();
            threads.add(t);
        }
        Thread.sleep(1000);
        long start = ok.get();
        long t0 = System.nanoTime();
        Thread.sleep(seconds * 1000L);
        long done = ok.get() - start;
        double secs = (System.nanoTime() - t0) / 1e9;
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        System.out.printf("clients=%d requests=%d rps=%.0f errors=%d%n", clients, done, done / secs, errors.get());
        g.close();
        origin.close();
        originGroup.shutdownGracefully();
    }

    private static String hostPort(InetSocketAddress a) {
        return a.getAddress().getHostAddress() + ":" + a.getPort();
    }

    /** Reads one response with a Content-Length body; returns whether it was a 200. */
    private static boolean readResponse(InputStream in) throws Exception {
        StringBuilder line = new StringBuilder();
        int status = -1;
        int length = 0;
        for (;;) {
            int c = in.read();
            if (c < 0) {
                throw new IllegalStateException("closed");
            }
            if (c == '\n') {
                String l = line.toString().trim();
                line.setLength(0);
                if (status < 0) {
                    status = Integer.parseInt(l.split(" ")[1]);
                } else if (l.isEmpty()) {
                    break;
                } else if (l.regionMatches(true, 0, "content-length:", 0, 15)) {
                    length = Integer.parseInt(l.substring(15).trim());
                }
            } else {
                line.append((char) c);
            }
        }
        in.readNBytes(length);
        return status == 200;
    }
}
