package dev.strata.gateway.upstream;

import dev.strata.gateway.balance.PeakEwma;
import dev.strata.gateway.balance.Target;
import dev.strata.gateway.config.HostPort;
import dev.strata.gateway.config.UpstreamConfig.PoolConfig;
import dev.strata.gateway.health.EndpointHealth;
import dev.strata.gateway.health.HealthConfig;
import dev.strata.gateway.pool.ConnectionPool;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One upstream endpoint: its address, health, in-flight count, peak-EWMA latency estimate (read by
 * the {@code peak-ewma} policy and the admin API), its connection pools (one per event loop) and what
 * its health checks last said of a degraded mode. Survives a reload that keeps it in its group. Thread-safe.
 */
public final class Endpoint implements Target {

    private final String id;
    private final InetSocketAddress address;
    private final EndpointHealth health;
    private final Bootstrap bootstrap;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final PeakEwma latency = new PeakEwma();
    private final ConcurrentHashMap<EventLoop, ConnectionPool> pools = new ConcurrentHashMap<>();
    private volatile String name;
    private volatile PoolConfig poolConfig;
    private volatile boolean removed;
    private volatile String degraded;

    Endpoint(String id, String name, HealthConfig healthConfig, PoolConfig poolConfig, Bootstrap bootstrap) {
        this.id = id;
        this.name = name;
        this.address = HostPort.parse("endpoint", id);
        this.health = new EndpointHealth(healthConfig, System::nanoTime);
        this.poolConfig = poolConfig;
        this.bootstrap = bootstrap;
        // a pool for each of the gateway's event loops up front: the request path then never meets a
        // missing one (compiled code that has not seen that case is thrown away when it first occurs)
        EventLoopGroup loops = bootstrap.config().group();
        if (loops != null) {
            for (EventExecutor e : loops) {
                if (e instanceof EventLoop loop) {
                    pools.put(loop, new ConnectionPool(loop, bootstrap, address));
                }
            }
        }
    }

    @Override
    public String id() {
        return id;
    }

    /** The node's name the configuration gives (its address when it gives none). */
    public String name() {
        return name;
    }

    void name(String name) {
        this.name = name;
    }

    public InetSocketAddress address() {
        return address;
    }

    public EndpointHealth health() {
        return health;
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public double latencyNanos() {
        return latency.valueNanos(System.nanoTime());
    }

    @Override
    public double weight() {
        return health.weight();
    }

    public PoolConfig poolConfig() {
        return poolConfig;
    }

    void poolConfig(PoolConfig config) {
        this.poolConfig = config;
    }

    /** Called when a request is dispatched to this endpoint; pair with {@link #finished(long)} exactly once. */
    public void dispatched() {
        inFlight.incrementAndGet();
    }

    /**
     * Called once when a request dispatched here ends, however it ends.
     *
     * @param latencyNanos time to the response head, or a negative value when there was none
     */
    public void finished(long latencyNanos) {
        inFlight.decrementAndGet();
        if (latencyNanos >= 0) {
            latency.observe(latencyNanos, System.nanoTime());
        }
    }

    /** This endpoint's pool on {@code loop}; call on {@code loop}. */
    public ConnectionPool pool(EventLoop loop) {
        ConnectionPool p = pools.get(loop);
        if (p == null) {
            p = pools.computeIfAbsent(loop, l -> new ConnectionPool(l, bootstrap, address));
        }
        return p;
    }

    /** Closes this endpoint's pools on {@code loops}, event loops that the gateway no longer uses. */
    public void forgetLoops(Set<EventLoop> loops) {
        for (EventLoop loop : loops) {
            ConnectionPool p = pools.remove(loop);
            if (p != null) {
                loop.execute(p::close);
            }
        }
    }

    /** Connections open to this endpoint over all event loops (approximate: read across threads). */
    public int openConnections() {
        int n = 0;
        for (ConnectionPool p : pools.values()) {
            n += p.open();
        }
        return n;
    }

    boolean removed() {
        return removed;
    }

    /**
     * How the endpoint's last answered health check said it is degraded ({@code Strata-Degraded}, e.g.
     * {@code database read-only}), or {@code null} when it did not.
     */
    public String degraded() {
        return degraded;
    }

    void degraded(String how) {
        this.degraded = how;
    }

    /** The endpoint left its group: close idle connections; busy ones close when their request ends. */
    void close() {
        removed = true;
        pools.forEach((loop, pool) -> loop.execute(pool::close));
    }

    @Override
    public String toString() {
        return id;
    }
}
