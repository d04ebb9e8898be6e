package dev.strata.gateway.warmup;

import dev.strata.gateway.admin.AdminServer;
import dev.strata.gateway.config.AccessLogConfig;
import dev.strata.gateway.proxy.ProxyServer;
import dev.strata.gateway.proxy.Transport;
import dev.strata.gateway.config.EndpointConfig;
import dev.strata.gateway.config.GatewayConfig;
import dev.strata.gateway.config.ListenerConfig;
import dev.strata.gateway.config.UpstreamConfig;
import dev.strata.gateway.filter.FilterStates;
import dev.strata.gateway.filter.FilterTypes;
import dev.strata.gateway.health.HealthConfig;
import dev.strata.gateway.log.AccessLog;
import dev.strata.gateway.metrics.GatewayMetrics;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Warms the gateway's request path before its listeners open, so that the first clients meet compiled
 * code rather than the interpreter (a cold JVM serves about half the requests per second of a warm one,
 * with a p99 in the hundreds of milliseconds, for the first 10-20 seconds of load).
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>No request leaves the process.</b> An origin inside the process, on two loopback ports, stands
 *   in for every endpoint of every group; the configured endpoints see nothing, not even a health
 *   check.</li>
 *   <li><b>The real path, not a model of it.</b> A second {@link ProxyServer} runs on the gateway's own
 *   event loops with the gateway's own configuration (routes, balancing policies, limits, timeouts,
 *   forwarding, the access log's format), changed only where it must be: its listener is on a free
 *   loopback port, its groups' endpoints are the warm-up origin, its meters go to a registry that is
 *   thrown away and its access log to {@code /dev/null}. Clients, on the same event loops, send each
 *   route a rotation of mostly GETs, some HEAD and POST (fixed-length and chunked bodies), with and
 *   without forwarding headers, over keep-alive connections; now and then a client asks to close, a
 *   client goes away before its response (with a reset or a FIN) or after it, and the origin closes a
 *   connection.</li>
 *   <li><b>What would throw compiled code away later runs now.</b> Compiled code assumes what it has
 *   seen: the classes loaded, the branches taken, the types at a call site. So the active health
 *   checks (their HTTP codec is a second decoder class) run every 100 ms against the warm-up origin, an
 *   admin listener for the warm-up proxy answers the admin API's reads, the clients and the origin
 *   write pooled direct buffers (the one buffer type the gateway's own writes use), the warm-up's meters
 *   turn their time window over every 10 ms (the gateway's every 40 s: its first turnover, at the second
 *   burst of load, threw away the compiled code that ends each request), and another thread hands the
 *   event loops a task every {@value #WAKE_EVERY_MS} ms, and now and then {@value #TASK_BURST} at once
 *   (more than one segment of a loop's task queue: a burst of new connections grew the queue for the
 *   first time, and its compiled code started over). Without those tasks, the first task
 *   from outside (a reload, the warm-up's own end) woke a waiting loop down a branch its compiled code
 *   had never seen, and the next traffic met the event loop's core running interpreted. Once a second it
 *   also binds a listener the way the gateway binds its own and closes it: compiled only for
 *   connections, the code every channel shares (channel set-up, registration, close) met the listening
 *   channels' classes when the warm-up's listeners closed and the real ones bound, was thrown away, and
 *   the first real connections compiled it again. The clients and
 *   the origin share the gateway's loops rather than run on a group of their own because shutting down
 *   a group runs the loop's shutdown branches, in the code every loop shares.</li>
 *   <li><b>Two rounds.</b> Each ends when compilation has settled: after a minimum number of requests,
 *   once the JIT compiler has spent less than {@value #QUIET_PERMILLE}‰ of a {@value #QUIET_WINDOW_MS}
 *   ms window compiling. Between them the warm-up proxy closes and the loops sit idle for
 *   {@value #PAUSE_MS} ms: going idle takes branches that busy traffic never does (no connection, no
 *   timer, a loop that blocks), which throws away the loop's compiled code; the second round compiles
 *   it again with those branches known, so that the gateway's own first idle spell and first burst
 *   meet compiled code. The second round opens with one client alone that leaves after each response,
 *   to an origin that closes after each answer to a GET, for {@value #CHURN_CONNECTIONS} connections; then the
 *   others join. Connection set-up and close run thousands of times (the rest of the warm-up runs them a
 *   few hundred), and with one request in flight every pass of the event loop is short, so the code that
 *   runs once per pass ({@code EpollIoHandler.run}, {@code runAllTasks}, {@code FlushBatch.run}) is called
 *   often enough to be compiled fully; under 64 clients a pass carries dozens of requests, and that code
 *   was still being compiled in the first real burst. The first round has {@value #FIRST_ROUND_PERCENT}%
 *   of {@code warmup.max_time}, the second the rest. Everything it started is closed before the real
 *   listeners bind.</li>
 * </ul>
 */
public final class Warmup {

    private static final Logger log = LoggerFactory.getLogger(Warmup.class);

    private static final int CONNECTIONS = 64;
    private static final long WAKE_EVERY_MS = 5;
    private static final Runnable NOTHING = () -> { };
    private static final int TASK_BURST = 2048;
    private static final long MIN_REQUESTS = 50_000;
    private static final long QUIET_WINDOW_MS = 1000;
    private static final long QUIET_PERMILLE = 50;
    private static final long FIRST_ROUND_PERCENT = 70;
    private static final long PAUSE_MS = 200;
    private static final Duration CHECK_INTERVAL = Duration.ofMillis(100);
    private static final Duration STATISTICS_WINDOW = Duration.ofMillis(30);
    private static final int CHURN_CONNECTIONS = 8_000;
    private static final ListenerConfig SPARE_LISTENER = new ListenerConfig("warmup-spare", "127.0.0.1:0");
    private static final List<String> ADMIN_PATHS = List.of("/_strata/health", "/_strata/metrics", "/_strata/upstreams");

    /** What a warm-up did. */
    public record Result(long requests, long failures, Duration took, Duration compileTime) {}

    private Warmup() {}

    /**
     * Runs the warm-up for {@code config} on {@code group} (the gateway's event loops) and returns when it
     * is over. {@code admin} binds an admin listener for a proxy (to a free loopback port) and returns it,
     * so that the admin API's code is loaded and run before the real listeners open.
     */
    public static Result run(GatewayConfig config, FilterTypes filterTypes, Transport transport, EventLoopGroup group,
                             Function<ProxyServer, AdminServer> admin) throws InterruptedException {
        long start = System.nanoTime();
        long compileStart = compileMillis();
        List<Channel> origins = new ArrayList<>();
        AccessLog accessLog = null;
        WarmupTraffic traffic = new WarmupTraffic();
        try {
            List<InetSocketAddress> origin = new ArrayList<>();
            ServerBootstrap originBootstrap = WarmupOrigin.bootstrap(group, transport, config, traffic);
            for (int i = 0; i < 2; i++) {
                Channel ch = originBootstrap.bind("127.0.0.1", 0).sync().channel();
                origins.add(ch);
                origin.add((InetSocketAddress) ch.localAddress());
            }
            GatewayConfig shadow = shadow(config, origin);
            accessLog = nullLog(shadow.accessLog());
            traffic.requests = WarmupTraffic.requests(config);
            traffic.connections = Math.min(CONNECTIONS, Math.max(1, config.limits().maxConnections() / 2));
            long maxTime = config.warmup().maxTime().toNanos();
            Round round = new Round(shadow, filterTypes, transport, group, accessLog, admin, traffic);
            round.run(start + maxTime * FIRST_ROUND_PERCENT / 100, MIN_REQUESTS);
            Thread.sleep(PAUSE_MS); // idle: no connection, no timer (see the design notes)
            traffic.churnLeft.set(CHURN_CONNECTIONS);
            round.run(start + maxTime, traffic.done.get() + CHURN_CONNECTIONS + MIN_REQUESTS / 5);
        } finally {
            origins.forEach(ch -> ch.close().awaitUninterruptibly(1000));
            if (accessLog != null) {
                accessLog.close();
            }
        }
        return new Result(traffic.done.get(), traffic.failed.get(), Duration.ofNanos(System.nanoTime() - start),
                Duration.ofMillis(compileStart < 0 ? 0 : compileMillis() - compileStart));
    }

    /** Milliseconds the JIT compiler has spent so far, or -1 where the JVM does not count them. */
    private static long compileMillis() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    /** One round: a shadow proxy and its admin listener, traffic until it settles, then all of it closed. */
    private record Round(GatewayConfig shadow, FilterTypes filterTypes, Transport transport, EventLoopGroup group, AccessLog accessLog,
                         Function<ProxyServer, AdminServer> admin, WarmupTraffic traffic) {

        void run(long deadline, long minRequests) throws InterruptedException {
            ProxyServer proxy = new ProxyServer(transport, group, new GatewayMetrics(STATISTICS_WINDOW), accessLog,
                    filterTypes, FilterStates.throwaway());
            AdminServer adminListener = null;
            try {
                proxy.start(shadow);
                adminListener = admin.apply(proxy);
                traffic.client = WarmupTraffic.bootstrap(group, transport, traffic, proxy.address("warmup"));
                traffic.start();
                settle(proxy, adminListener.address(), deadline, minRequests);
            } finally {
                traffic.stop();
                traffic.awaitClosed(Duration.ofSeconds(2));
                if (adminListener != null) {
                    adminListener.close();
                }
                proxy.close();
            }
        }

        /**
         * Runs until the traffic has done {@code minRequests} and the JIT compiler has gone quiet, or
         * until {@code deadline} ({@link System#nanoTime}). Meanwhile it hands the loops a task every
         * {@value #WAKE_EVERY_MS} ms from this thread, binds and closes a spare listener once a window, and
         * every few windows reads the admin API and hands each loop a burst of tasks.
         */
        private void settle(ProxyServer proxy, InetSocketAddress admin, long deadline, long minRequests)
                throws InterruptedException {
            long lastCompile = compileMillis();
            long lastCheck = System.nanoTime();
            int windows = 0;
            while (System.nanoTime() < deadline) {
                Thread.sleep(WAKE_EVERY_MS);
                group.forEach(loop -> loop.execute(NOTHING));
                long now = System.nanoTime();
                if (now - lastCheck < QUIET_WINDOW_MS * 1_000_000) {
                    continue;
                }
                bindAndCloseSpare(proxy);
                if (windows++ % 4 == 0) {
                    adminRequests(admin);
                    group.forEach(loop -> {
                        for (int i = 0; i < TASK_BURST; i++) {
                            loop.execute(NOTHING);
                        }
                    });
                }
                long compile = compileMillis();
                boolean quiet = compile >= 0 && (compile - lastCompile) * 1000 < QUIET_PERMILLE * (now - lastCheck) / 1_000_000;
                log.debug("warm-up: {} requests, {} ms compiling in the last {} ms", traffic.done.get(),
                        compile - lastCompile, (now - lastCheck) / 1_000_000);
                if (quiet && traffic.done.get() >= minRequests) {
                    return;
                }
                lastCompile = compile;
                lastCheck = System.nanoTime();
            }
        }
    }

    /**
     * Binds a listener the way the gateway binds its own and closes it again, so that the code every
     * channel shares has seen a listening channel's classes, not only connections'. Without it, closing
     * the warm-up's listeners and binding the real ones at its end threw away the compiled code of
     * connection set-up and close, which the first real connections then ran interpreted and compiled
     * again.
     */
    private static void bindAndCloseSpare(ProxyServer proxy) throws InterruptedException {
        proxy.bindUnlisted(SPARE_LISTENER).close().sync();
    }

    /** Reads the admin API's GET endpoints once each (the answers do not matter, only that they ran). */
    private static void adminRequests(InetSocketAddress admin) {
        for (String path : ADMIN_PATHS) {
            try (Socket s = new Socket()) {
                s.connect(admin, 1000);
                s.setSoTimeout(1000);
                s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: warmup.invalid\r\n"
                        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                s.getInputStream().readAllBytes();
            } catch (IOException e) {
                log.debug("warm-up admin request {}: {}", path, e.toString());
            }
        }
    }

    /** The gateway's configuration with its listeners, endpoints, checks and access log made harmless. */
    static GatewayConfig shadow(GatewayConfig config, List<InetSocketAddress> origin) {
        List<EndpointConfig> endpoints = origin.stream().map(a -> EndpointConfig.of("127.0.0.1:" + a.getPort())).toList();
        Map<String, UpstreamConfig> upstreams = new LinkedHashMap<>();
        config.upstreams().forEach((name, u) -> {
            HealthConfig h = u.health();
            HealthConfig.Active a = h.active();
            HealthConfig frequentChecks = new HealthConfig(new HealthConfig.Active(a.enabled(), a.path(),
                    CHECK_INTERVAL, a.timeout(), a.healthyThreshold(), a.unhealthyThreshold()), h.outlier(), Duration.ZERO);
            upstreams.put(name, new UpstreamConfig(endpoints, u.balance(), frequentChecks, u.pool(), u.retry()));
        });
        AccessLogConfig l = config.accessLog();
        return config
                .withListeners(List.of(new ListenerConfig("warmup", "127.0.0.1:0")), config.admin())
                .withRouting(config.routes(), upstreams)
                .withAccessLog(new AccessLogConfig(l.enabled(), l.format(), "/dev/null", l.queueSize()));
    }

    private static AccessLog nullLog(AccessLogConfig config) {
        try {
            return AccessLog.open(config, () -> {});
        } catch (IllegalArgumentException e) {
            return null; // no /dev/null here: the warm-up goes without the log's formatting
        }
    }
}
