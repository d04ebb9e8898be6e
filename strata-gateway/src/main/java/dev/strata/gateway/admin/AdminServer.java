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
 * {@code GET /_strata/upstreams}, {@code POST /_strata/reload}, and the {@link AdminResource}s the
 * configured filters register (the cache's, the limiter's). Small bodies only, so it aggregates
 * (64 KiB; a larger request is a problem+json 413 and the connection closes).
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Who may change the gateway.</b> Every mutating call (a reload, a purge, any resource's
 *   non-GET method) needs {@code Authorization: Bearer <token>}, compared in constant time; without a
 *   configured token ({@code admin.token}, or {@code STRATA_ADMIN_TOKEN} in the gateway's environment)
 *   mutating calls are refused, since the listener is reachable from any page a browser on this host
 *   opens, and a header a page cannot send cross-site without a preflight is what keeps such a page
 *   out. Reading needs no token. SIGHUP reloads the file without one.</li>
 *   <li><b>What a failed reload says.</b> The key and the rule that refused it, as the configuration
 *   records word it; never an exception's class name, a Java type or a snippet of the file (the log
 *   has the whole message).</li>
 * </ul>
 */
public final class AdminServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_REQUEST = 64 * 1024;
    private static final java.util.regex.Pattern JAVA_NAME =
            java.util.regex.Pattern.compile("`?\\b(?:[a-zA-Z_$][\\w$]*\\.)+[A-Z][\\w$]*`?");

    /** What {@code POST /_strata/reload} does; returns a short description or throws. */
    public interface ReloadAction {
        String reload() throws Exception;
    }

    private final ProxyServer proxy;
    private final ReloadAction reload;
    private final Executor blocking;
    private volatile String token;
    private volatile java.util.Map<String, AdminResource> ownResources = java.util.Map.of();
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

    /**
     * Resources the gateway itself serves (the dashboard's), by path, beside the ones the configured
     * filters register; a filter's resource of the same path wins.
     */
    public void resources(java.util.Map<String, AdminResource> resources) {
        this.ownResources = java.util.Map.copyOf(resources);
    }

    public synchronized void bind(EventLoopGroup group, Transport transport, InetSocketAddress address)
            throws InterruptedException {
        Channel next = new ServerBootstrap().group(group).channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new HttpServerCodec(), new Aggregator(MAX_REQUEST), new Handler());
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
                        send(ctx, problem(ctx, 403, refusal()), keepAlive);
                        return;
                    }
                    CompletableFuture.supplyAsync(() -> {
                        try {
                            return json(200, "{\"status\":\"reloaded\",\"detail\":" + JSON.valueToTree(reload.reload()) + "}");
                        } catch (IllegalStateException e) {
                            return problem(ctx, 409, e.getMessage());
                        } catch (Exception e) {
                            log.warn("reload failed: {}", e.toString());
                            return problem(ctx, 400, "reload failed: " + reloadFailure(e));
                        }
                    }, blocking).thenAccept(r -> send(ctx, r, keepAlive));
                }
                default -> {
                    AdminResource resource = proxy.adminResources().get(path);
                    if (resource == null) {
                        resource = ownResources.get(path);
                    }
                    if (resource == null) {
                        send(ctx, problem(ctx, 404, "no admin resource " + path), keepAlive);
                    } else {
                        serve(ctx, req, resource, path, keepAlive);
                    }
                }
            }
        }

        /** A feature's resource: the method, the authority of a mutating call, then the resource itself. */
        private void serve(ChannelHandlerContext ctx, FullHttpRequest req, AdminResource resource, String path,
                           boolean keepAlive) {
            String method = req.method().name();
            java.util.Set<String> methods = resource.methods();
            String asked = method.equals("HEAD") && methods.contains("GET") ? "GET" : method;
            if (!methods.contains(asked)) {
                FullHttpResponse r = problem(ctx, 405, "use " + String.join(" or ", new java.util.TreeSet<>(methods)));
                r.headers().set(HttpHeaderNames.ALLOW, String.join(", ", new java.util.TreeSet<>(methods)));
                send(ctx, r, keepAlive);
                return;
            }
            if (resource.mutating(asked)) {
                if (!authorized(req)) {
                    send(ctx, problem(ctx, 403, refusal()), keepAlive);
                    return;
                }
            }
            String uri = req.uri();
            int q = uri.indexOf('?');
            byte[] body = new byte[req.content().readableBytes()];
            req.content().getBytes(req.content().readerIndex(), body);
            AdminRequest call = new AdminRequest(asked, path, q < 0 ? null : uri.substring(q + 1),
                    req.headers().get(HttpHeaderNames.CONTENT_TYPE), body);
            java.util.concurrent.CompletionStage<AdminReply> reply;
            try {
                reply = resource.handle(call);
            } catch (RuntimeException e) {
                reply = CompletableFuture.failedFuture(e);
            }
            reply.whenComplete((r, failure) -> {
                AdminReply answer = r;
                if (failure != null) {
                    Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
                            ? failure.getCause() : failure;
                    if (cause instanceof IllegalArgumentException && cause.getMessage() != null) {
                        answer = AdminReply.problem(400, cause.getMessage());
                    } else {
                        log.warn("admin {} {} failed", method, path, cause);
                        answer = AdminReply.problem(500, "the admin call failed; the gateway's log has the reason");
                    }
                }
                FullHttpResponse out = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                        new HttpResponseStatus(answer.status(), dev.strata.gateway.proxy.Http1Messages.reason(answer.status())),
                        method.equals("HEAD") ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(answer.body()));
                out.headers().set(HttpHeaderNames.CONTENT_LENGTH, answer.body().length)
                        .set(HttpHeaderNames.CONTENT_TYPE, answer.contentType())
                        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
                ctx.executor().execute(() -> send(ctx, out, keepAlive));
            });
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
                return false;
            }
            String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
            String expected = "Bearer " + t;
            return auth != null && MessageDigest.isEqual(auth.getBytes(StandardCharsets.UTF_8),
                    expected.getBytes(StandardCharsets.UTF_8));
        }

        private String refusal() {
            String t = token;
            return t == null || t.isEmpty()
                    ? "changing the gateway through the admin API needs a token: set admin.token or STRATA_ADMIN_TOKEN "
                            + "(SIGHUP reloads the file without one)"
                    : "a valid admin token is required (Authorization: Bearer <token>)";
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /** Aggregates a request up to its limit; a larger one is a problem+json 413, and the connection closes. */
    private static final class Aggregator extends HttpObjectAggregator {
        Aggregator(int max) {
            super(max);
        }

        @Override
        protected void handleOversizedMessage(ChannelHandlerContext ctx, io.netty.handler.codec.http.HttpMessage oversized) {
            FullHttpResponse r = problem(ctx, 413, "an admin request is at most " + MAX_REQUEST + " bytes");
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            r.headers().set(HttpHeaderNames.DATE, io.netty.handler.codec.DateFormatter.format(new java.util.Date()));
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * What a client is told of a refused reload: the message of the rule that refused it (the
     * configuration records word theirs as {@code key: value (expected: ...)}), the unknown key, or where
     * the YAML broke; without class names or the file's text.
     */
    static String reloadFailure(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String detail;
        var config = find(e, dev.strata.common.config.ConfigException.class);
        var unknown = find(e, com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException.class);
        var invalid = find(e, IllegalArgumentException.class);
        var mapping = find(e, com.fasterxml.jackson.databind.JsonMappingException.class);
        var parsing = find(e, com.fasterxml.jackson.core.JsonProcessingException.class);
        if (config != null && config.getMessage() != null) {
            detail = config.getMessage(); // says the key, the line and what was expected, without internals
        } else if (unknown != null) {
            detail = "unknown key '" + unknown.getPropertyName() + "'" + at(unknown);
        } else if (invalid != null && invalid.getMessage() != null) {
            detail = invalid.getMessage();
        } else if (mapping != null) {
            detail = "invalid value" + at(mapping);
        } else if (parsing != null) {
            detail = parsing.getLocation() == null ? "not valid YAML" : "not valid YAML (line "
                    + parsing.getLocation().getLineNr() + ", column " + parsing.getLocation().getColumnNr() + ")";
        } else if (root instanceof java.io.IOException && !(root instanceof java.net.SocketException)) {
            detail = "the configuration file cannot be read";
        } else if (e instanceof IllegalStateException || root.getMessage() == null) {
            detail = e.getMessage() == null ? "the new configuration was refused" : e.getMessage();
        } else {
            detail = root.getMessage();
        }
        int nl = detail.indexOf('\n');
        if (nl >= 0) {
            detail = detail.substring(0, nl); // what follows a first line is a snippet of the file or a trace
        }
        detail = JAVA_NAME.matcher(detail).replaceAll("").replace("()", "").trim();
        return detail.length() > 300 ? detail.substring(0, 300) + "..." : detail;
    }

    private static <T extends Throwable> T find(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    private static String at(com.fasterxml.jackson.databind.JsonMappingException m) {
        StringBuilder path = new StringBuilder();
        for (com.fasterxml.jackson.databind.JsonMappingException.Reference r : m.getPath()) {
            if (r.getFieldName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(r.getFieldName());
            } else if (r.getIndex() >= 0) {
                path.append('[').append(r.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "" : " at " + path;
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
                en.put("name", e.name());
                en.put("address", e.id());
                en.put("health", e.health().state().name().toLowerCase(Locale.ROOT));
                en.put("in_flight", e.inFlight());
                en.put("ewma_latency_ms", Math.round(e.latencyNanos() / 1_000.0) / 1_000.0);
                en.put("weight", e.weight());
                en.put("ejections", e.health().ejections());
                en.put("connections", e.openConnections());
                if (e.degraded() != null) {
                    en.put("degraded", e.degraded());
                }
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
        FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                new HttpResponseStatus(status, dev.strata.gateway.proxy.Http1Messages.reason(status)),
                Unpooled.wrappedBuffer(bytes));
        r.headers().set(HttpHeaderNames.CONTENT_LENGTH, bytes.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        return r;
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive) {
        r.headers().set(HttpHeaderNames.DATE, io.netty.handler.codec.DateFormatter.format(new java.util.Date()));
        if (!keepAlive) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(r).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.writeAndFlush(r);
        }
    }
}
