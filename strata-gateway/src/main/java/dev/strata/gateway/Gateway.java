package dev.strata.gateway;

import dev.strata.common.config.ConfigLoader;
import dev.strata.gateway.admin.AdminServer;
import dev.strata.gateway.cluster.RedisCluster;
import dev.strata.gateway.config.GatewayConfig;
import dev.strata.gateway.dashboard.Dashboard;
import dev.strata.gateway.dashboard.EventRing;
import dev.strata.gateway.filter.FilterStates;
import dev.strata.gateway.filter.FilterTypes;
import dev.strata.gateway.filter.builtin.BuiltInFilters;
import dev.strata.gateway.log.AccessLog;
import dev.strata.gateway.metrics.GatewayMetrics;
import dev.strata.gateway.proxy.ProxyServer;
import dev.strata.gateway.proxy.Transport;
import dev.strata.gateway.warmup.Warmup;
import dev.strata.gateway.upstream.Endpoint;
import dev.strata.gateway.upstream.UpstreamGroup;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
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
    private final EventLoops loops; // listeners, connections both ways, health checks, the admin API
    private int ioThreads; // the number of loops new connections go to now; guarded by this
    private final ProxyServer proxy;
    private final AdminServer admin;
    private final GatewayMetrics metrics;
    private final Transport transport;
    private final ExecutorService blocking;
    private final FilterTypes filterTypes;
    private final RedisCluster cluster; // null outside a cluster
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final EventRing events = new EventRing(256);
    private Dashboard dashboard; // guarded by this; null while admin.dashboard is off
    private volatile GatewayConfig config;
    private volatile boolean stopping;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Gateway(GatewayConfig config, Path configFile, FilterTypes filterTypes) {
        this.config = config;
        this.filterTypes = filterTypes;
        this.configFile = configFile;
        this.transport = Transport.detect();
        this.ioThreads = Transport.threads(config.ioThreads());
        this.loops = new EventLoops(transport, ioThreads, () -> stopping);
        this.metrics = new GatewayMetrics();
        this.cluster = config.cluster().enabled() ? RedisCluster.open(config.cluster(), config.name(), metrics.registry()) : null;
        this.proxy = new ProxyServer(transport, loops.group(), metrics,
                AccessLog.open(config.accessLog(), metrics::accessLogDropped), filterTypes,
                new FilterStates(metrics.registry(), Optional.ofNullable(cluster),
                        List.of(cluster != null ? cluster.adminResource() : RedisCluster.disabledResource())));
        this.blocking = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "strata-admin-reload");
            t.setDaemon(true);
            return t;
        });
        this.admin = new AdminServer(proxy, adminToken(config), this::reloadFromSource, blocking);
    }

    /** Starts a gateway with {@code config}; {@code POST /_strata/reload} is refused (no file to read). */
    public static Gateway start(GatewayConfig config) {
        return start(config, null, BuiltInFilters.types());
    }

    /**
     * Starts a gateway with {@code config} whose routes may also name the filter types of
     * {@code filterTypes} (the built-in ones and an application's own, from {@link BuiltInFilters#types()}
     * {@code .with(...)}).
     */
    public static Gateway start(GatewayConfig config, FilterTypes filterTypes) {
        return start(config, null, filterTypes);
    }

    /** Starts a gateway from {@code configFile}; reloads read the same file again. */
    public static Gateway start(Path configFile) {
        return start(load(configFile), configFile, BuiltInFilters.types());
    }

    private static Gateway start(GatewayConfig config, Path file, FilterTypes filterTypes) {
        Objects.requireNonNull(config, "config");
        Gateway g = new Gateway(config, file, filterTypes);
        try {
            if (config.warmup().enabled()) {
                g.warmUp(config);
            }
            g.proxy.start(config);
            g.admin.bind(g.loops.group(), g.transport, config.admin().socketAddress());
            g.registerGauges();
            g.dashboard(config);
            g.events.record("started", config.name(), "gateway started");
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
            Warmup.Result w = Warmup.run(config, filterTypes, transport, loops.current(), this::warmupAdmin);
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

    private AdminServer warmupAdmin(ProxyServer warmupProxy) {
        try {
            return AdminServer.forWarmup(warmupProxy, loops.current(), transport, blocking);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * Process entry: starts from {@code configFile}, stops gracefully on SIGTERM (and when a supervising
     * parent goes away), reloads the file on SIGHUP, and blocks until stopped ({@link GatewayProcess}).
     */
    public static void run(Path configFile) throws InterruptedException {
        GatewayProcess.run(configFile);
    }

    /** The token mutating admin calls need: {@code admin.token}, else {@code STRATA_ADMIN_TOKEN}, else none (refused). */
    private static String adminToken(GatewayConfig config) {
        String configured = config.admin().token();
        if (!configured.isEmpty()) {
            return configured;
        }
        String fromEnv = System.getenv("STRATA_ADMIN_TOKEN");
        return fromEnv == null ? "" : fromEnv.strip();
    }

    static GatewayConfig load(Path file) {
        return ConfigLoader.fromFile(file).requiredSection("gateway", GatewayConfig.class, "a gateway");
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

    /** The configuration in force. */
    GatewayConfig config() {
        return config;
    }

    /** The number of event loops that new connections go to. */
    public synchronized int ioThreads() {
        return ioThreads;
    }

    /** Groups of event loops a reload replaced that still serve connections (tests). */
    int retiringLoopGroups() {
        return loops.retiringGroups();
    }

    /** Client connections on the event loops a reload replaced (tests). */
    int connectionsOnRetiringLoops() {
        return loops.connectionsOnRetiring(proxy);
    }

    /**
     * Swaps routes, upstreams and limits to {@code next} without dropping requests or connections. A new
     * {@code io_threads} starts that many new event loops: connections accepted from then on go to
     * them, and the old loops keep serving the connections they have until the last one closes.
     */
    public synchronized void reload(GatewayConfig next) {
        Objects.requireNonNull(next, "config");
        if (stopping) {
            throw new IllegalStateException("stopping: reload refused");
        }
        // opened first: a log that cannot be opened refuses the reload before anything changed
        boolean logChanged = !next.accessLog().equals(config.accessLog());
        AccessLog freshLog = logChanged ? AccessLog.open(next.accessLog(), metrics::accessLogDropped) : null;
        boolean applied = false;
        int threads = Transport.threads(next.ioThreads());
        EventLoopGroup replaced = threads == ioThreads ? null : loops.replace(threads);
        try {
            proxy.reload(next);
            if (!next.cluster().equals(config.cluster()) || !next.name().equals(config.name())) {
                log.warn("reload: gateway.cluster and gateway.name take effect at the next start");
            }
            if (!next.admin().address().equals(config.admin().address())) {
                admin.bind(loops.group(), transport, next.admin().socketAddress());
            }
            admin.token(adminToken(next));
            if (logChanged) {
                swapAccessLog(freshLog, next);
            }
            applied = true;
            config = next;
            registerGauges();
            dashboard(next);
            events.record("reload", next.name(), "configuration reloaded: " + next.routes().size() + " routes, "
                    + next.upstreams().size() + " upstream groups");
            if (replaced != null) {
                ioThreads = threads;
                loops.moveListenersAndRetire(replaced, ioThreads, proxy, admin);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("reload interrupted", e);
        } finally {
            if (!applied && freshLog != null) {
                freshLog.close();
            }
            if (!applied && replaced != null) {
                // back to the loops that were running; a connection accepted meanwhile keeps the new one
                loops.moveListenersAndRetire(loops.restore(replaced), ioThreads, proxy, admin);
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

    /** SIGHUP: the file is read again, off the signal's thread ({@link GatewayProcess}). */
    void reloadOnSignal() {
        blocking.execute(() -> {
            try {
                log.info("SIGHUP: {}", reloadFromSource());
            } catch (Exception e) {
                log.warn("SIGHUP reload failed: {}", e.getMessage());
            }
        });
    }

    /** Opens, reconfigures or closes the dashboard as {@code admin.dashboard} says. */
    private synchronized void dashboard(GatewayConfig c) {
        if (c.admin().dashboard().enabled()) {
            if (dashboard == null) {
                dashboard = new Dashboard(proxy, c.name(), c.admin().dashboard(), events);
                admin.resources(dashboard.adminResources());
            } else {
                dashboard.reconfigure(c.admin().dashboard());
            }
        } else if (dashboard != null) {
            admin.resources(java.util.Map.of());
            dashboard.close();
            dashboard = null;
        }
    }

    /** The gateway's last events, as the dashboard shows them. */
    public EventRing events() {
        return events;
    }

    private String reloadFromSource() {
        if (configFile == null) {
            throw new IllegalStateException("this gateway was not started from a file");
        }
        GatewayConfig next;
        try {
            next = load(configFile);
        } catch (RuntimeException e) {
            events.record("reload_refused", config.name(), "the configuration file was refused; the log says why");
            throw e;
        }
        int before;
        synchronized (this) {
            before = ioThreads;
            reload(next);
        }
        int after = Transport.threads(next.ioThreads());
        return "reloaded " + configFile + (before == after ? ""
                : "; io_threads " + before + " -> " + after + " (established connections stay on the old event loops)");
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
        if (!closed.compareAndSet(false, true)) {
            return; // closed already (a drain ends in close, and an owner may close again)
        }
        stopping = true;
        try {
            synchronized (this) {
                if (dashboard != null) {
                    dashboard.close();
                }
            }
            proxy.close();
            admin.close();
            loops.shutdown();
            AccessLog last = proxy.swapAccessLog(null);
            if (last != null) {
                last.close();
            }
            blocking.shutdownNow();
            if (cluster != null) {
                cluster.close();
            }
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
                metrics.endpointGauge("strata.upstream.in.flight", "Requests in flight to an upstream endpoint", name, id,
                        proxy, p -> {
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
}
