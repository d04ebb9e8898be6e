package dev.strata.gateway.proxy;

import dev.strata.gateway.config.GatewayConfig;
import dev.strata.gateway.config.LimitsConfig;
import dev.strata.gateway.config.ListenerConfig;
import dev.strata.gateway.config.RouteConfig;
import dev.strata.gateway.filter.FilterChain;
import dev.strata.gateway.filter.FilterStates;
import dev.strata.gateway.filter.FilterTypes;
import dev.strata.gateway.limit.ConnectionLimits;
import dev.strata.gateway.log.AccessLog;
import dev.strata.gateway.metrics.GatewayMetrics;
import dev.strata.gateway.upstream.Endpoint;
import dev.strata.gateway.upstream.HealthChecker;
import dev.strata.gateway.upstream.UpstreamGroup;
import dev.strata.gateway.upstream.Upstreams;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy's listeners and the live configuration generation they serve.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Reload</b> builds the next {@link Snapshot} (keeping the endpoints that stay, with their
 *   pools, health and in-flight counts), swaps it in with one volatile write, then retires what left:
 *   health checks of the old generation stop, idle connections of removed endpoints close. Requests
 *   already running finish on the generation they started with; established client connections
 *   stay open and their next request uses the new generation. A listener whose address changed is
 *   bound anew before the old one closes; closing a listening socket leaves its accepted connections
 *   open.</li>
 *   <li><b>Loops</b>: a connection stays on the loop it was accepted to, with every upstream
 *   connection that serves it. Through a {@link SwitchableLoopGroup} a reload can replace the loops:
 *   new connections go to the new ones, {@link #moveListeners} moves the listening sockets themselves,
 *   and what the server keeps per loop for the old ones (pools, flush batches) goes with
 *   {@link #forgetLoops} once {@link #connectionsOn} them is 0.</li>
 *   <li><b>Drain</b> stops accepting, closes idle client connections, and lets busy ones finish their
 *   current request (whose response says {@code Connection: close}) within the drain timeout.</li>
 * </ul>
 * {@link #reload} and {@link #drain} are serialized by this object's monitor; the request path only
 * reads the volatile fields.
 */
public final class ProxyServer {

    private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

    private final Transport transport;
    private final EventLoopGroup group;
    private final GatewayMetrics metrics;
    private volatile AccessLog accessLog;
    private final Bootstrap upstreamBootstrap;
    private final ChannelGroup clients = new DefaultChannelGroup("strata-clients", GlobalEventExecutor.INSTANCE);
    private final AtomicInteger connections = new AtomicInteger();
    private final ConnectionLimits connectionLimits;
    private final Map<EventLoop, FlushBatch> flushBatches = new ConcurrentHashMap<>();
    private final Map<String, Channel> listeners = new LinkedHashMap<>();
    private final Map<String, String> listenerAddresses = new HashMap<>();

    private final FilterTypes filterTypes;
    private final FilterStates filterStates; // guarded by this
    private volatile Snapshot snapshot;
    private final Supplier<LimitsConfig> liveLimits = () -> snapshot.config().limits();
    /** Bytes of request bodies held whole before dispatch, gateway-wide, against limits.buffered_bodies_total. */
    private final java.util.concurrent.atomic.AtomicLong bufferedBodies = new java.util.concurrent.atomic.AtomicLong();

    /** Takes {@code bytes} of the gateway's body-buffer budget; false when that would exceed {@code total}. */
    boolean reserveBodyBuffer(long bytes, long total) {
        for (;;) {
            long now = bufferedBodies.get();
            if (now + bytes > total) {
                return false;
            }
            if (bufferedBodies.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    void releaseBodyBuffer(long bytes) {
        bufferedBodies.addAndGet(-bytes);
    }

    /** Bytes of the body-buffer budget in use (tests, metrics). */
    public long bufferedBodyBytes() {
        return bufferedBodies.get();
    }
    private volatile boolean draining;
    private HealthChecker checker; // guarded by this

    /**
     * A server on {@code group}'s loops: listeners, client connections, upstream connections and health
     * checks (a {@link SwitchableLoopGroup} lets a reload replace the loops).
     */
    public ProxyServer(Transport transport, EventLoopGroup group, GatewayMetrics metrics, AccessLog accessLog,
                       FilterTypes filterTypes, FilterStates filterStates) {
        this.transport = transport;
        this.filterTypes = filterTypes;
        this.filterStates = filterStates;
        this.group = group;
        this.metrics = metrics;
        this.connectionLimits = new ConnectionLimits(metrics.registry());
        this.accessLog = accessLog;
        this.upstreamBootstrap = new Bootstrap()
                .group(group)
                .channel(transport.socketChannel())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ResponseDecoder decoder = new ResponseDecoder();
                        ch.pipeline().addLast("decoder", decoder).addLast("proxy", new UpstreamHandler(decoder));
                    }
                });
    }

    public Snapshot snapshot() {
        return snapshot;
    }

    /** The admin resources the current configuration's filters serve, by path. */
    public java.util.Map<String, dev.strata.gateway.admin.AdminResource> adminResources() {
        return filterStates.adminResources();
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    /** The batch of deferred flushes of {@code loop} (see {@link FlushBatch}). */
    FlushBatch flushBatch(EventLoop loop) {
        return flushBatches.computeIfAbsent(loop, FlushBatch::new);
    }

    AccessLog accessLog() {
        return accessLog;
    }

    /** Requests that finish from now on are logged to {@code next} ({@code null}: not logged); returns the previous log. */
    public AccessLog swapAccessLog(AccessLog next) {
        AccessLog previous = accessLog;
        accessLog = next;
        return previous;
    }

    /** Whether this server carries the warm-up's traffic (its filters run on throw-away state). */
    public boolean warmup() {
        return filterStates.warmup();
    }

    public boolean draining() {
        return draining;
    }

    /** Client connections open now. */
    public int connections() {
        return connections.get();
    }

    /** Starts with {@code config}: builds the first generation and binds every listener. */
    public synchronized void start(GatewayConfig config) throws InterruptedException {
        install(config, Upstreams.empty());
        for (ListenerConfig l : config.listeners()) {
            bind(l);
        }
        loopbackTo(config);
    }

    private void loopbackTo(GatewayConfig config) {
        if (!config.listeners().isEmpty()) {
            filterStates.loopbackAddress(address(config.listeners().get(0).name()));
        }
    }

    /** Installs the first generation without binding listeners (handler tests). */
    synchronized void installOnly(GatewayConfig config) {
        install(config, Upstreams.empty());
    }

    /** Swaps in {@code config}; see the design notes. */
    public synchronized void reload(GatewayConfig config) throws InterruptedException {
        if (draining) {
            throw new IllegalStateException("draining: reload refused");
        }
        Snapshot old = snapshot;
        // bind new and moved listeners first, so that a bind failure leaves the old generation running
        Map<String, ListenerConfig> wanted = new LinkedHashMap<>();
        config.listeners().forEach(l -> wanted.put(l.name(), l));
        Map<String, Channel> fresh = new HashMap<>();
        try {
            for (ListenerConfig l : wanted.values()) {
                if (!l.address().equals(listenerAddresses.get(l.name()))) {
                    fresh.put(l.name(), bindUnlisted(l));
                }
            }
        } catch (InterruptedException | RuntimeException e) {
            fresh.values().forEach(Channel::close);
            throw e;
        }
        install(config, old.upstreams());
        for (Map.Entry<String, Channel> e : fresh.entrySet()) {
            Channel previous = listeners.put(e.getKey(), e.getValue());
            listenerAddresses.put(e.getKey(), wanted.get(e.getKey()).address());
            if (previous != null) {
                previous.close();
            }
            log.info("listener {} on {}", e.getKey(), e.getValue().localAddress());
        }
        for (String name : Set.copyOf(listeners.keySet())) {
            if (!wanted.containsKey(name)) {
                listeners.remove(name).close();
                listenerAddresses.remove(name);
                log.info("listener {} closed", name);
            }
        }
        loopbackTo(config);
        log.info("configuration reloaded: {} routes, upstream groups {}", config.routes().size(),
                snapshot.upstreams().groups().stream().map(g -> g.name()).sorted().toList());
    }

    private void install(GatewayConfig config, Upstreams previousUpstreams) {
        FilterStates.Builder states = filterStates.builder();
        Map<String, FilterChain> chains = Snapshot.chains(config, filterTypes, states, filterStates.warmup());
        Set<String> used = config.routes().stream().map(RouteConfig::upstream).filter(java.util.Objects::nonNull)
                .collect(Collectors.toSet());
        Upstreams upstreams = Upstreams.build(config.upstreams(), used, previousUpstreams, upstreamBootstrap);
        Snapshot next = Snapshot.of(config, upstreams, chains);
        states.commit();
        upstreams.groups().forEach(g -> g.endpoints().forEach(e -> metrics.nodeNames(Map.of(e.id(), e.name()))));
        metrics.prepare(config.routes().stream().map(RouteConfig::name).toList(),
                upstreams.groups().stream().collect(Collectors.toMap(UpstreamGroup::name,
                        g -> g.endpoints().stream().map(Endpoint::id).toList())));
        HealthChecker nextChecker = new HealthChecker(group, transport.socketChannel());
        snapshot = next;
        if (checker != null) {
            checker.stop();
        }
        checker = nextChecker;
        nextChecker.start(upstreams);
        upstreams.retireRemoved(previousUpstreams);
    }

    /** The bound address of listener {@code name}, or {@code null}. */
    public synchronized InetSocketAddress address(String name) {
        Channel ch = listeners.get(name);
        return ch == null ? null : (InetSocketAddress) ch.localAddress();
    }

    private void bind(ListenerConfig l) throws InterruptedException {
        Channel ch = bindUnlisted(l);
        listeners.put(l.name(), ch);
        listenerAddresses.put(l.name(), l.address());
        log.info("listener {} on {} ({})", l.name(), ch.localAddress(), transport.name());
    }

    /** Binds a listener that is not recorded as one of this server's (the warm-up binds and closes spares). */
    public Channel bindUnlisted(ListenerConfig l) throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 4096)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        Snapshot s = snapshot;
                        if (draining) {
                            ch.close();
                            return;
                        }
                        if (connections.incrementAndGet() > s.config().limits().maxConnections()) {
                            connections.decrementAndGet();
                            metrics.connectionRejected();
                            ch.close();
                            return;
                        }
                        LimitsConfig limits = s.config().limits();
                        ConnectionLimits.Lease lease = connectionLimits.admit(ch.remoteAddress().getAddress(),
                                limits.maxConnectionsPerAddress(), limits.maxNewConnectionsPerAddress(), s::trusted);
                        if (lease == null) {
                            connections.decrementAndGet();
                            metrics.connectionRejected();
                            ch.close();
                            return;
                        }
                        ch.closeFuture().addListener(f -> {
                            connections.decrementAndGet();
                            lease.release();
                        });
                        clients.add(ch);
                        ClientHandler handler = new ClientHandler(ProxyServer.this, l.name());
                        ch.pipeline().addLast("decoder", new RequestDecoder(liveLimits, handler))
                                .addLast("proxy", handler);
                    }
                });
        InetSocketAddress address = l.socketAddress();
        return b.bind(address).sync().channel();
    }

    /**
     * Graceful stop: no new connections, idle ones closed, busy ones closed after their current
     * response. Returns whether every client connection was gone before {@code timeout}.
     */
    public boolean drain(Duration timeout) throws InterruptedException {
        synchronized (this) {
            draining = true;
            listeners.values().forEach(Channel::close);
            listeners.clear();
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        do {
            for (Channel ch : clients) {
                ClientHandler h = ch.pipeline().get(ClientHandler.class);
                if (h != null) {
                    ch.eventLoop().execute(h::closeIfIdle);
                }
            }
            if (clients.isEmpty()) {
                return true;
            }
            Thread.sleep(20);
        } while (System.nanoTime() < deadline);
        return clients.isEmpty();
    }

    /** Client connections open now on the loops of {@code loops}. */
    public int connectionsOn(EventLoopGroup loops) {
        Set<EventLoop> members = SwitchableLoopGroup.members(loops);
        int n = 0;
        for (Channel ch : clients) {
            if (members.contains(ch.eventLoop())) {
                n++;
            }
        }
        return n;
    }

    /**
     * Lets go of what this server keeps per loop for the loops of {@code loops}, which serve no client
     * connection any more: their upstream pools close (on their loops) and their flush batches go.
     */
    public synchronized void forgetLoops(EventLoopGroup loops) {
        Set<EventLoop> members = SwitchableLoopGroup.members(loops);
        flushBatches.keySet().removeAll(members);
        for (UpstreamGroup g : snapshot.upstreams().groups()) {
            for (Endpoint e : g.endpoints()) {
                e.forgetLoops(members);
            }
        }
    }

    /** Moves every listening socket to one of {@code loops} (see {@link SwitchableLoopGroup#move}). */
    public synchronized void moveListeners(EventLoopGroup loops) throws InterruptedException {
        for (Channel ch : listeners.values()) {
            SwitchableLoopGroup.move(ch, loops);
        }
    }

    /** Closes everything that is left (after {@link #drain}). */
    public synchronized void close() {
        listeners.values().forEach(Channel::close);
        listeners.clear();
        clients.close().awaitUninterruptibly(2000);
        if (checker != null) {
            checker.stop();
        }
        if (snapshot != null) {
            snapshot.upstreams().closeAll();
        }
    }
}
