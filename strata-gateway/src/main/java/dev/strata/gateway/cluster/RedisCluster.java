package dev.strata.gateway.cluster;

import dev.strata.gateway.admin.AdminResource;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A gateway's membership in the cluster of gateways that share one Redis: the connections, and the
 * {@link Cluster} that features see, whose parts are {@link Membership} (who is live), {@link ClusterBus}
 * (broadcasts and their acknowledgements) and {@link ClusterResource} ({@code GET /_strata/cluster}).
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Connections.</b> One RedisClient with two connections: commands (heartbeats, publishes, acks,
 *   the features' own state) and pub/sub (a connection that subscribed cannot send other commands). Both
 *   reject commands while disconnected, so nothing queues up unbounded behind a dead Redis, and every
 *   command has {@code command_timeout}. The first connection is made in the background and retried with
 *   doubling pauses; after that, Lettuce reconnects (and re-subscribes) by itself with the same pauses.
 *   Lettuce runs on I/O threads of its own (two, its minimum), not on the gateway's event loops: the
 *   gateway replaces its loop group when {@code io_threads} is reloaded, while a Lettuce connection stays
 *   on one loop for its life, and Lettuce asks its provider for groups of its own classes.</li>
 *   <li><b>Missed messages.</b> From a lost pub/sub connection (or a first connection that failed) until
 *   both channels are subscribed again, messages can have passed by: {@code cutOff} marks that time, and
 *   the confirmation of the re-subscription tells every subscriber once.</li>
 * </ul>
 * Threading: one thread of its own ({@code strata-cluster}) for heartbeats, reconnections and applying
 * messages; Lettuce's for results. Shared fields are volatile or concurrent.
 */
public final class RedisCluster implements Cluster, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisCluster.class);

    private final ClusterConfig config;
    private final String self;
    private final ClientResources resources;
    private final RedisClient client;
    private final ScheduledExecutorService worker;
    private final Set<String> subscribedChannels = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Counter errors;
    private final Counter missedSignals;
    private final Membership membership;
    private final ClusterBus bus;
    private volatile StatefulRedisConnection<String, String> commands;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;
    private volatile boolean cutOff; // messages may have passed by since
    private volatile String lastError = "";
    private ScheduledFuture<?> heartbeats;

    private RedisCluster(ClusterConfig config, String self, MeterRegistry meters) {
        this.config = config;
        this.self = self;
        Duration min = config.reconnectMin();
        Duration max = config.reconnectMax();
        this.resources = DefaultClientResources.builder()
                .ioThreadPoolSize(1)
                .computationThreadPoolSize(1)
                .reconnectDelay(new Delay() {
                    @Override
                    public Duration createDelay(long attempt) {
                        return backoff(min, max, attempt);
                    }
                })
                .build();
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .timeoutOptions(TimeoutOptions.enabled(config.commandTimeout()))
                .socketOptions(SocketOptions.builder().connectTimeout(config.connectTimeout()).keepAlive(true).build())
                .build());
        client.addListener(new ConnectionStates());
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "strata-cluster");
            t.setDaemon(true);
            return t;
        });
        executor.setRemoveOnCancelPolicy(true);
        this.worker = executor;
        this.membership = new Membership(this, config, self);
        this.bus = new ClusterBus(this, config, self, membership, executor, meters);
        this.errors = Counter.builder("strata.cluster.errors").description("failed Redis operations of the cluster")
                .register(meters);
        this.missedSignals = Counter.builder("strata.cluster.missed.messages")
                .description("reconnections after which messages may have been missed").register(meters);
        Gauge.builder("strata.cluster.connected", this, c -> c.connected() ? 1 : 0)
                .description("1 while connected to Redis and subscribed").register(meters);
        Gauge.builder("strata.cluster.members", this, c -> c.members().size())
                .description("live gateways as of the last heartbeat").register(meters);
    }

    /** Joins the cluster of {@code config} as {@code self}; connects in the background and returns at once. */
    public static RedisCluster open(ClusterConfig config, String self, MeterRegistry meters) {
        RedisCluster c = new RedisCluster(config, self, meters);
        c.worker.execute(() -> c.connect(1));
        synchronized (c) {
            c.heartbeats = c.worker.scheduleWithFixedDelay(c::heartbeat, config.heartbeat().toMillis(),
                    config.heartbeat().toMillis(), TimeUnit.MILLISECONDS);
        }
        return c;
    }

    static Duration backoff(Duration min, Duration max, long attempt) {
        long shift = Math.min(Math.max(attempt - 1, 0), 20);
        Duration d = min.multipliedBy(1L << shift);
        return d.compareTo(max) > 0 ? max : d;
    }

    private void connect(long attempt) {
        if (closed.get()) {
            return;
        }
        RedisURI uri = RedisURI.create(config.redis());
        uri.setTimeout(config.commandTimeout());
        CompletableFuture<StatefulRedisConnection<String, String>> cmd =
                client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
        CompletableFuture<StatefulRedisPubSubConnection<String, String>> sub =
                client.connectPubSubAsync(StringCodec.UTF8, uri).toCompletableFuture();
        CompletableFuture.allOf(cmd, sub).whenComplete((ok, failure) -> {
            if (failure != null || closed.get()) {
                cmd.thenAccept(StatefulRedisConnection::closeAsync);
                sub.thenAccept(StatefulRedisPubSubConnection::closeAsync);
                if (closed.get()) {
                    return;
                }
                cutOff = true;
                failed(failure);
                Duration pause = backoff(config.reconnectMin(), config.reconnectMax(), attempt);
                if (attempt == 1 || attempt % 10 == 0) {
                    LOG.warn("cluster: cannot reach Redis at {} ({}); trying again in {} ms", config.redis(),
                            lastError, pause.toMillis());
                }
                schedule(() -> connect(attempt + 1), pause);
                return;
            }
            StatefulRedisPubSubConnection<String, String> s = sub.join();
            s.addListener(new Messages());
            commands = cmd.join();
            pubsub = s;
            s.async().subscribe(bus.channel, bus.ackChannel).whenComplete((v, e) -> {
                if (e != null) {
                    failed(e);
                }
            });
            LOG.info("cluster: connected to Redis at {} as '{}'", config.redis(), self);
        });
    }

    private void schedule(Runnable task, Duration delay) {
        try {
            worker.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // closed meanwhile
        }
    }

    /** Runs {@code task} on the cluster's thread, unless the cluster is closed. */
    void execute(Runnable task) {
        try {
            worker.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            // closed meanwhile
        }
    }

    private void heartbeat() {
        StatefulRedisConnection<String, String> c = commands;
        if (c == null || !c.isOpen() || closed.get()) {
            return;
        }
        membership.heartbeat(c);
    }

    @Override
    public String self() {
        return self;
    }

    @Override
    public boolean connected() {
        StatefulRedisConnection<String, String> c = commands;
        StatefulRedisPubSubConnection<String, String> s = pubsub;
        return c != null && s != null && c.isOpen() && s.isOpen() && !cutOff
                && subscribedChannels.contains(bus.channel) && subscribedChannels.contains(bus.ackChannel);
    }

    @Override
    public Set<String> members() {
        return membership.members();
    }

    @Override
    public StatefulRedisConnection<String, String> redis() {
        StatefulRedisConnection<String, String> c = commands;
        if (c == null) {
            throw new ClusterUnavailableException("not connected to Redis at " + config.redis() + " yet", null);
        }
        return c;
    }

    @Override
    public String key(String name) {
        return config.namespace() + ":" + name;
    }

    @Override
    public AutoCloseable subscribe(String topic, Subscriber subscriber) {
        return bus.subscribe(topic, subscriber);
    }

    @Override
    public CompletionStage<Broadcast> broadcast(String topic, String payload, Duration timeout) {
        return bus.broadcast(topic, payload, timeout);
    }

    @Override
    public Duration ackTimeout() {
        return config.ackTimeout();
    }

    private void resubscribed() {
        if (!cutOff || !subscribedChannels.contains(bus.channel) || !subscribedChannels.contains(bus.ackChannel)) {
            return;
        }
        cutOff = false;
        missedSignals.increment();
        LOG.info("cluster: subscribed again after a loss of Redis; telling {} subscriber(s) that messages may have been missed",
                bus.subscriberCount());
        execute(() -> {
            heartbeat();
            bus.missedMessages();
        });
    }

    /** An operation of the cluster failed (a command, a message that does not parse): counted. */
    void failed() {
        errors.increment();
    }

    /** As {@link #failed()}, remembering why for {@code GET /_strata/cluster}; returns the reason. */
    String failed(Throwable e) {
        errors.increment();
        String why = rootMessage(e);
        lastError = why;
        return why;
    }

    /** The command connection, or {@code null} before the first one is made. */
    StatefulRedisConnection<String, String> commands() {
        return commands;
    }

    ClusterConfig config() {
        return config;
    }

    Membership membership() {
        return membership;
    }

    ClusterBus bus() {
        return bus;
    }

    /** Why the last Redis operation failed, or empty. */
    String lastError() {
        return lastError;
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    }

    /** {@code GET /_strata/cluster}: the cluster as this gateway sees it. */
    public AdminResource adminResource() {
        return ClusterResource.of(this);
    }

    /** {@code GET /_strata/cluster} of a gateway outside any cluster. */
    public static AdminResource disabledResource() {
        return ClusterResource.of(null);
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        synchronized (this) {
            if (heartbeats != null) {
                heartbeats.cancel(false);
            }
        }
        StatefulRedisConnection<String, String> c = commands;
        if (c != null && c.isOpen()) {
            try {
                membership.leave(c, config.commandTimeout());
            } catch (Exception e) {
                LOG.debug("cluster: could not leave the member set: {}", e.toString());
            }
        }
        bus.close();
        worker.shutdownNow();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private final class Messages extends RedisPubSubAdapter<String, String> {
        @Override
        public void message(String channel, String message) {
            if (message.length() > config.maxMessage().bytes() + 512) {
                failed();
                return;
            }
            if (channel.equals(bus.channel)) {
                bus.onBus(message);
            } else if (channel.equals(bus.ackChannel)) {
                bus.onAck(message);
            }
        }

        @Override
        public void subscribed(String channel, long count) {
            subscribedChannels.add(channel);
            resubscribed();
        }
    }

    private final class ConnectionStates implements RedisConnectionStateListener {
        @Override
        public void onRedisDisconnected(RedisChannelHandler<?, ?> connection) {
            if (closed.get()) {
                return;
            }
            if (connection == pubsub) {
                cutOff = true;
                subscribedChannels.clear();
            }
            if (connection == pubsub || connection == commands) {
                errors.increment();
                lastError = "connection lost";
                LOG.warn("cluster: lost the connection to Redis at {}; reconnecting", config.redis());
            }
        }

        @Override
        public void onRedisConnected(RedisChannelHandler<?, ?> connection, SocketAddress address) {
            if (connection == commands && cutOff) {
                execute(RedisCluster.this::heartbeat);
            }
        }
    }
}
