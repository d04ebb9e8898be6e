package dev.strata.gateway;

import dev.strata.common.config.ConfigLoader;
import dev.strata.common.process.NodeProcess;
import dev.strata.gateway.admin.AdminServer;
import dev.strata.gateway.config.GatewayConfig;
import dev.strata.gateway.log.AccessLog;
import dev.strata.gateway.metrics.GatewayMetrics;
import dev.strata.gateway.proxy.ProxyServer;
import dev.strata.gateway.proxy.Transport;
import dev.strata.gateway.proxy.Warmup;
import dev.strata.gateway.upstream.Endpoint;
import dev.strata.gateway.upstream.UpstreamGroup;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway: an HTTP/1.1 reverse proxy and load balancer with an admin API.
 *
 * <pre>{@code
 * Gateway g = Gateway.start(config);
 * InetSocketAddress main = g.listenerAddress("main");
 * g.reload(newConfig);
 * g.drainAndStop();
 * }</pre>
 *
 * {@link #run(Path)} is the process entry ({@code ./strata gateway --config FILE}).
 */
public final class Gateway implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class);

    private final Path configFile;
    private final EventLoopGroup group;
    private final int ioThreads; // as configured when the group was made: a reload cannot change it
    private final ProxyServer proxy;
    private final AdminServer admin;
    private final GatewayMetrics metrics;
    private final Transport transport;
    private final ExecutorService blocking;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile GatewayConfig config;
    private volatile boolean stopping;

    private Gateway(GatewayConfig config, Path configFile) {
        this.config = config;
        this.configFile = configFile;
        this.transport = Transport.detect();
        this.ioThreads = config.ioThreads();
        this.group = transport.newGroup(ioThreads, "strata-io");
        this.metrics = new GatewayMetrics();
        this.proxy = new ProxyServer(transport, group, metrics,
                AccessLog.open(config.accessLog(), metrics::accessLogDropped));
        this.blocking = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "strata-admin-reload");
            t.setDaemon(true);
            return t;
        });
        this.admin = new AdminServer(proxy, config.admin().token(), this::reloadFromSource, blocking);
    }

    /** Starts a gateway with {@code config}; {@code POST /_strata/reload} is refused (no file to read). */
    public static Gateway start(GatewayConfig config) {
        return start(config, null);
    }

    /** Starts a gateway from {@code configFile}; reloads read the same file again. */
    public static Gateway start(Path configFile) {
        return start(load(configFile), configFile);
    }

    private static Gateway start(GatewayConfig config, Path file) {
        Objects.requireNonNull(config, "config");
        Gateway g = new Gateway(config, file);
        try {
            if (config.warmup().enabled()) {
                g.warmUp(config);
            }
            g.proxy.start(config);
            g.admin.bind(g.group, g.transport, config.admin().socketAddress());
            g.registerGauges();
        } catch (Exception | Error e) {
            g.close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            throw new IllegalStateException("gateway failed to start: " + e.getMessage(), e);
        }
        return g;
    }

    /** A warm-up that fails (no loopback address to bind, say) leaves the gateway cold, not stopped. */
    private void warmUp(GatewayConfig config) throws InterruptedException {
        log.info("warming up the request path before the listeners open (up to {})", config.warmup().maxTime());
        try {
            Warmup.Result w = Warmup.run(config, transport, group, this::warmupAdmin);
            log.info("warm-up: {} requests in {} ms ({} ms compiling, {} failed)", w.requests(),
                    w.took().toMillis(), w.compileTime().toMillis(), w.failures());
            // What the warm-up leaves alive (the endpoints' pools, caches, meters) stays for good. Left in
            // the young generation, every young collection under load would copy it again, up to the
            // tenuring age; one full collection now, before any client is served, moves it out.
            long t0 = System.nanoTime();
            System.gc();
            log.info("warm-up: heap collected in {} ms", (System.nanoTime() - t0) / 1_000_000);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) { // also what Netty rethrows unchecked-style, such as a BindException
            log.warn("warm-up skipped, starting cold: {}", e.toString());
        }
    }

    private Warmup.AdminListener warmupAdmin(ProxyServer warmupProxy) {
        try {
            return AdminServer.forWarmup(warmupProxy, group, transport, blocking);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Process entry: starts from {@code configFile}, stops gracefully on SIGTERM (and when a supervising
     * parent goes away), reloads the file on SIGHUP, and blocks until stopped.
     */
    public static void run(Path configFile) throws InterruptedException {
        // The handler goes in before the listeners open: the JVM's own answer to SIGHUP is to exit, and
        // a client that sees the listener can already send one. A SIGHUP during the start is kept and
        // served once the gateway runs (whichever side sees both the gateway and the flag serves it).
        AtomicReference<Gateway> running = new AtomicReference<>();
        AtomicBoolean hupPending = new AtomicBoolean();
        try {
            sun.misc.SignalHandler previous = sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
                hupPending.set(true);
                Gateway started = running.get();
                if (started != null && hupPending.getAndSet(false)) {
                    started.reloadOnSignal();
                }
            });
            if (previous == sun.misc.SignalHandler.SIG_IGN) {
                // the JVM keeps a signal ignored that was ignored when it started: the handler never runs
                log.warn("SIGHUP is ignored in this process (its parent ignored it, as nohup does): "
                        + "reload with POST /_strata/reload on the admin listener instead");
            }
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            log.debug("SIGHUP not available: {}", e.toString());
        }
        Gateway g = start(configFile);
        running.set(g);
        if (hupPending.getAndSet(false)) {
            g.reloadOnSignal();
        }
        NodeProcess.serveUntilStopped("gateway", g::drainAndStop, () -> {
            g.config.listeners().forEach(l -> log.info("gateway listener {}: http://{}", l.name(),
                    hostPort(g.listenerAddress(l.name()))));
            log.info("gateway admin: http://{}", hostPort(g.adminAddress()));
        });
    }

    static GatewayConfig load(Path file) {
        return ConfigLoader.fromFile(file).section("gateway", GatewayConfig.class);
    }

    /** The bound address of listener {@code name} (a configured port 0 reads as the actual port). */
    public InetSocketAddress listenerAddress(String name) {
        InetSocketAddress a = proxy.address(name);
        if (a == null) {
            throw new IllegalArgumentException("listener: " + name + " (expected: one of "
                    + config.listeners().stream().map(l -> l.name()).toList() + ")");
        }
        return a;
    }

    public InetSocketAddress adminAddress() {
        return admin.address();
    }

    /** Swaps routes, upstreams and limits to {@code next} without dropping requests or connections. */
    public synchronized void reload(GatewayConfig next) {
        Objects.requireNonNull(next, "config");
        if (stopping) {
            throw new IllegalStateException("stopping: reload refused");
        }
        // opened first: a log that cannot be opened refuses the reload before anything changed
        boolean logChanged = !next.accessLog().equals(config.accessLog());
        AccessLog freshLog = logChanged ? AccessLog.open(next.accessLog(), metrics::accessLogDropped) : null;
        boolean applied = false;
        String unapplied = unappliedIoThreads(next, "the new configuration");
        if (unapplied != null) {
            log.warn(unapplied);
        }
        try {
            proxy.reload(next);
            if (!next.admin().address().equals(config.admin().address())) {
                admin.bind(group, transport, next.admin().socketAddress());
            }
            admin.token(next.admin().token());
            if (logChanged) {
                swapAccessLog(freshLog, next);
            }
            applied = true;
            config = next;
            registerGauges();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("reload interrupted", e);
        } finally {
            if (!applied && freshLog != null) {
                freshLog.close();
            }
        }
    }

    /**
     * Requests that finish after the swap go to the new log. The old one is closed a moment later
     * (its queue written out first), so that a request that picked it up just before the swap still
     * gets its line written.
     */
    private void swapAccessLog(AccessLog fresh, GatewayConfig next) {
        AccessLog old = proxy.swapAccessLog(fresh);
        if (old != null) {
            Thread.ofVirtual().name("strata-access-log-close").start(() -> {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                old.close();
            });
        }
        log.info("access log: {}", next.accessLog().enabled()
                ? next.accessLog().format() + " to " + (next.accessLog().path().isEmpty() ? "stdout" : next.accessLog().path())
                : "off");
    }

    private void reloadOnSignal() {
        blocking.execute(() -> {
            try {
                log.info("SIGHUP: {}", reloadFromSource());
            } catch (Exception e) {
                log.warn("SIGHUP reload failed: {}", e.getMessage());
            }
        });
    }

    private String reloadFromSource() {
        if (configFile == null) {
            throw new IllegalStateException("this gateway was not started from a file");
        }
        GatewayConfig next = load(configFile);
        reload(next);
        String unapplied = unappliedIoThreads(next, "the file");
        return unapplied == null ? "reloaded " + configFile : "reloaded " + configFile + "; " + unapplied;
    }

    /** What a reload to {@code next} leaves as it was because only a restart applies it, or {@code null}. */
    private String unappliedIoThreads(GatewayConfig next, String source) {
        return next.ioThreads() == ioThreads ? null
                : "io_threads stays " + ioThreads + " until a restart (" + source + " says " + next.ioThreads() + ")";
    }

    /**
     * Graceful stop: stops accepting, lets in-flight requests finish within {@code timeouts.drain},
     * then closes everything. Returns whether every request finished in time. Idempotent.
     */
    public boolean drainAndStop() {
        synchronized (this) {
            if (stopping) {
                return true;
            }
            stopping = true;
        }
        boolean clean = false;
        try {
            log.info("draining (up to {})", config.timeouts().drain());
            clean = proxy.drain(config.timeouts().drain());
            if (!clean) {
                log.warn("drain timeout: closing {} connections", proxy.connections());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            close();
        }
        return clean;
    }

    /** Stops at once, dropping whatever is in flight. */
    @Override
    public void close() {
        stopping = true;
        try {
            proxy.close();
            admin.close();
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5000);
            AccessLog last = proxy.swapAccessLog(null);
            if (last != null) {
                last.close();
            }
            blocking.shutdownNow();
        } finally {
            stopped.countDown();
        }
    }

    private void registerGauges() {
        for (UpstreamGroup g : proxy.snapshot().upstreams().groups()) {
            String name = g.name();
            metrics.ejections(name, proxy, p -> {
                UpstreamGroup live = p.snapshot().upstreams().group(name);
                return live == null ? 0 : live.detector().ejectionsTotal();
            });
            for (Endpoint e : g.endpoints()) {
                String id = e.id();
                metrics.endpointGauge("strata.upstream.in.flight", name, id, proxy, p -> {
                    UpstreamGroup live = p.snapshot().upstreams().group(name);
                    if (live == null) {
                        return 0;
                    }
                    for (Endpoint x : live.endpoints()) {
                        if (x.id().equals(id)) {
                            return x.inFlight();
                        }
                    }
                    return 0;
                });
            }
        }
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
