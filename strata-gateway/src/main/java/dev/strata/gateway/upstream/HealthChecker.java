package dev.strata.gateway.upstream;

import dev.strata.gateway.config.UpstreamConfig;
import dev.strata.gateway.health.HealthConfig;
import dev.strata.gateway.health.Outcome;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active HTTP health checks of one generation of upstream groups. Each endpoint is checked on one of
 * the gateway's event loops with a short-lived connection ({@code GET path}, {@code Connection:
 * close}); the result feeds {@code EndpointHealth.activeCheck}. A check that gets no status line within
 * the timeout fails. Checks of one endpoint never overlap: the next is scheduled when one ends. An
 * answer's {@code Strata-Degraded} field (the endpoint serves, in a degraded mode: {@code database
 * read-only}) is kept on the endpoint until an answer without it, for the admin API and the dashboard;
 * the value an endpoint sends is cut to {@value #MAX_DEGRADED} characters of printable ASCII.
 */
public final class HealthChecker {

    private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);
    static final int MAX_DEGRADED = 80;

    private final EventLoopGroup group;
    private final Class<? extends SocketChannel> channelType;
    private final List<Check> checks = new ArrayList<>();
    private volatile boolean stopped;

    public HealthChecker(EventLoopGroup group, Class<? extends SocketChannel> channelType) {
        this.group = group;
        this.channelType = channelType;
    }

    /** Starts checking every endpoint of {@code upstreams} whose group has active checks enabled. */
    public void start(Upstreams upstreams) {
        for (UpstreamGroup g : upstreams.groups()) {
            UpstreamConfig config = g.config();
            HealthConfig.Active active = config.health().active();
            if (!active.enabled()) {
                continue;
            }
            for (Endpoint e : g.endpoints()) {
                Check c = new Check(e, active, group.next());
                checks.add(c);
                c.loop.execute(c::run);
            }
        }
    }

    /** What an endpoint's {@code Strata-Degraded} says, made safe to show: printable ASCII, bounded; null without it. */
    static String degraded(String field) {
        if (field == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(Math.min(field.length(), MAX_DEGRADED));
        for (int i = 0; i < field.length() && b.length() < MAX_DEGRADED; i++) {
            char c = field.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        String how = b.toString().strip();
        return how.isEmpty() ? "degraded" : how;
    }

    public void stop() {
        stopped = true;
        for (Check c : checks) {
            c.loop.execute(c::cancel);
        }
    }

    /** One endpoint's checks; confined to {@link #loop}. */
    private final class Check {
        final Endpoint endpoint;
        final HealthConfig.Active config;
        final EventLoop loop;
        ScheduledFuture<?> next;
        Channel channel;

        Check(Endpoint endpoint, HealthConfig.Active config, EventLoop loop) {
            this.endpoint = endpoint;
            this.config = config;
            this.loop = loop;
        }

        void cancel() {
            if (next != null) {
                next.cancel(false);
            }
            if (channel != null) {
                channel.close();
            }
        }

        void run() {
            if (stopped || endpoint.removed()) {
                return;
            }
            long timeoutMs = config.timeout().toMillis();
            boolean[] done = new boolean[1];
            ChannelFuture f = new Bootstrap().group(loop).channel(channelType)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, timeoutMs))
                    .option(ChannelOption.TCP_NODELAY, true)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(), new SimpleChannelInboundHandler<HttpObject>() {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
                                    if (msg instanceof HttpResponse r) {
                                        endpoint.degraded(degraded(r.headers().get(Outcome.DEGRADED_FIELD)));
                                        int s = r.status().code();
                                        finish(done, s >= 200 && s < 400, ctx.channel());
                                    }
                                }

                                @Override
                                public void channelInactive(ChannelHandlerContext ctx) {
                                    finish(done, false, ctx.channel());
                                }

                                @Override
                                public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                    finish(done, false, ctx.channel());
                                }
                            });
                        }
                    })
                    .connect(endpoint.address());
            channel = f.channel();
            ScheduledFuture<?> timeout = loop.schedule(() -> finish(done, false, f.channel()), timeoutMs, TimeUnit.MILLISECONDS);
            f.addListener((ChannelFutureListener) cf -> {
                if (!cf.isSuccess()) {
                    timeout.cancel(false);
                    finish(done, false, cf.channel());
                    return;
                }
                DefaultFullHttpRequest req = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, config.path());
                req.headers().set(HttpHeaderNames.HOST, endpoint.id())
                        .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                        .set(HttpHeaderNames.USER_AGENT, "strata-health-check")
                        .set(HttpHeaderNames.CONTENT_LENGTH, 0);
                cf.channel().writeAndFlush(req);
                cf.channel().closeFuture().addListener(x -> timeout.cancel(false));
            });
        }

        void finish(boolean[] done, boolean passed, Channel ch) {
            if (done[0]) {
                return;
            }
            done[0] = true;
            ch.close();
            channel = null;
            if (stopped || endpoint.removed()) {
                return;
            }
            log.debug("health check of {}: {}", endpoint.id(), passed ? "passed" : "failed");
            endpoint.health().activeCheck(passed);
            next = loop.schedule(this::run, config.interval().toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}
