package dev.strata.gateway.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.common.http.Problem;
import dev.strata.gateway.proxy.ProxyServer;
import dev.strata.gateway.proxy.SwitchableLoopGroup;
import dev.strata.gateway.proxy.Transport;
import dev.strata.gateway.upstream.Endpoint;
import dev.strata.gateway.upstream.UpstreamGroup;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener: {@code GET /_strata/health}, {@code GET /_strata/metrics},
 * {@code GET /_strata/upstreams}, {@code POST /_strata/reload}. Small bodies only, so it aggregates.
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What {@code POST /_strata/reload} does; returns a short description or throws. */
    public interface ReloadAction {
        String reload() throws Exception;
    }

    private final ProxyServer proxy;
    private final ReloadAction reload;
    private final Executor blocking;
    private volatile String token;
    private Channel channel;

    public AdminServer(ProxyServer proxy, String token, ReloadAction reload, Executor blocking) {
        this.proxy = proxy;
        this.token = token;
        this.reload = reload;
        this.blocking = blocking;
    }

    /**
     * An admin server for a warm-up proxy, bound to a free loopback port: no token, and a reload is
     * refused (there is nothing to reload).
     */
    public static AdminServer forWarmup(ProxyServer proxy, EventLoopGroup group, Transport transport,
                                        Executor blocking) throws InterruptedException {
        AdminServer a = new AdminServer(proxy, "", () -> {
            throw new IllegalStateException("not during the warm-up");
        }, blocking);
        a.bind(group, transport, new InetSocketAddress("127.0.0.1", 0));
        return a;
    }

    public void token(String token) {
        this.token = token;
    }

    public synchronized void bind(EventLoopGroup group, Transport transport, InetSocketAddress address)
            throws InterruptedException {
        Channel next = new ServerBootstrap().group(group).channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(64 * 1024), new Handler());
                    }
                })
                .bind(address).sync().channel();
        Channel previous = channel;
        channel = next;
        if (previous != null) {
            previous.close();
        }
        log.debug("admin listener on {}", next.localAddress());
    }

    /** Moves the listening socket to one of {@code loops} (see {@link SwitchableLoopGroup#move}). */
    public synchronized void moveTo(EventLoopGroup loops) throws InterruptedException {
        if (channel != null) {
            SwitchableLoopGroup.move(channel, loops);
        }
    }

    public synchronized InetSocketAddress address() {
        return channel == null ? null : (InetSocketAddress) channel.localAddress();
    }

    @Override
    public synchronized void close() {
        if (channel != null) {
            channel.close().awaitUninterruptibly(1000);
            channel = null;
        }
    }

    private final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
            String path = req.uri();
            int q = path.indexOf('?');
            if (q >= 0) {
                path = path.substring(0, q);
            }
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            if (!req.decoderResult().isSuccess()) {
                send(ctx, problem(ctx, 400, "malformed request"), false);
                return;
            }
            switch (path) {
                case "/_strata/health" -> {
                    if (!get(ctx, req, keepAlive)) return;
                    boolean ok = !proxy.draining();
                    send(ctx, json(ok ? 200 : 503, "{\"status\":\"" + (ok ? "ok" : "draining") + "\"}"), keepAlive);
                }
                case "/_strata/metrics" -> {
                    if (!get(ctx, req, keepAlive)) return;
                    FullHttpResponse r = text(200, proxy.metrics().scrape());
                    r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
                    send(ctx, r, keepAlive);
                }
                case "/_strata/upstreams" -> {
                    if (!get(ctx, req, keepAlive)) return;
                    send(ctx, json(200, upstreams()), keepAlive);
                }
                case "/_strata/reload" -> {
                    if (!req.method().equals(HttpMethod.POST)) {
                        FullHttpResponse r = problem(ctx, 405, "use POST");
                        r.headers().set(HttpHeaderNames.ALLOW, "POST");
                        send(ctx, r, keepAlive);
                        return;
                    }
                    if (!authorized(req)) {
                        send(ctx, problem(ctx, 403, "a valid admin token is required"), keepAlive);
                        return;
                    }
                    CompletableFuture.supplyAsync(() -> {
                        try {
                            return json(200, "{\"status\":\"reloaded\",\"detail\":" + JSON.valueToTree(reload.reload()) + "}");
                        } catch (IllegalStateException e) {
                            return problem(ctx, 409, e.getMessage());
                        } catch (Exception e) {
                            log.warn("reload failed: {}", e.toString());
                            return problem(ctx, 400, "reload failed: " + e.getMessage());
                        }
                    }, blocking).thenAccept(r -> send(ctx, r, keepAlive));
                }
                default -> send(ctx, problem(ctx, 404, "no admin resource " + path), keepAlive);
            }
        }

        private boolean get(ChannelHandlerContext ctx, FullHttpRequest req, boolean keepAlive) {
            if (req.method().equals(HttpMethod.GET) || req.method().equals(HttpMethod.HEAD)) {
                return true;
            }
            FullHttpResponse r = problem(ctx, 405, "use GET");
            r.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            send(ctx, r, keepAlive);
            return false;
        }

        private boolean authorized(FullHttpRequest req) {
            String t = token;
            if (t == null || t.isEmpty()) {
                return true;
            }
            String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
            String expected = "Bearer " + t;
            return auth != null && MessageDigest.isEqual(auth.getBytes(StandardCharsets.UTF_8),
                    expected.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private String upstreams() {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode groups = root.putObject("upstreams");
        proxy.snapshot().upstreams().groups().stream().sorted(Comparator.comparing(UpstreamGroup::name)).forEach(g -> {
            ObjectNode gn = groups.putObject(g.name());
            gn.put("policy", g.config().balance().policy());
            gn.put("panic", g.panicking()); // too few eligible endpoints: balancing over all of them
            ArrayNode eps = gn.putArray("endpoints");
            for (Endpoint e : g.endpoints()) {
                ObjectNode en = eps.addObject();
                en.put("id", e.id());
                en.put("health", e.health().state().name().toLowerCase(Locale.ROOT));
                en.put("in_flight", e.inFlight());
                en.put("ewma_latency_ms", Math.round(e.latencyNanos() / 1_000.0) / 1_000.0);
                en.put("weight", e.weight());
                en.put("ejections", e.health().ejections());
                en.put("connections", e.openConnections());
            }
        });
        return root.toString();
    }

    private static FullHttpResponse problem(ChannelHandlerContext ctx, int status, String detail) {
        FullHttpResponse r = text(status, new String(Problem.of(status, detail).toBytes(), StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE);
        return r;
    }

    private static FullHttpResponse json(int status, String body) {
        FullHttpResponse r = text(status, body);
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        return r;
    }

    private static FullHttpResponse text(int status, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        return r;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive) {
        if (!keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(r);
        }
    }
}
