package dev.strata.gateway.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.gateway.admin.AdminReply;
import dev.strata.gateway.admin.AdminRequest;
import dev.strata.gateway.admin.AdminResource;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
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
import io.micrometer.core.instrument.Timer;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design notes
 *
 * Connections. One RedisClient with two connections: commands (heartbeats, publishes, acks, the
 * features' own state) and pub/sub (a connection that subscribed cannot send other commands). Both
 * reject commands while disconnected, so nothing queues up unbounded behind a dead Redis, and every
 * command has command_timeout. The first connection is made in the background and retried with
 * doubling pauses; after that, Lettuce reconnects (and re-subscribes) by itself with the same pauses.
 * Lettuce runs on I/O threads of its own (two, its minimum), not on the gateway's event loops: the gateway replaces
 * its loop group when io_threads is reloaded, while a Lettuce connection stays on one loop for its
 * life, and Lettuce asks its provider for groups of its own classes.
 *
 * Membership lives in one sorted set, member -> expiry in Redis's clock (a script reads TIME, so clock
 * skew between gateways does not matter). A heartbeat adds this gateway with now + member_ttl and
 * drops expired members; the live set is what remains.
 *
 * Broadcast. Every gateway subscribes to <ns>:bus (all topics) and to its own <ns>:ack:<name>. A
 * broadcast reads the live set, then publishes "id, origin, topic, payload"; each receiver applies it
 * (on this class's thread, never Lettuce's event loop) and publishes "id, name, ok|failed" to the
 * origin's ack channel. The stage completes when every member of the live set answered, or at the
 * timeout with what it has (or failed, when Redis is unreachable by then).
 *
 * Missed messages. From a lost pub/sub connection (or a first connection that failed) until both
 * channels are subscribed again, messages can have passed by: cutOff marks that time, and the
 * confirmation of the re-subscription tells every subscriber once.
 */
/** A gateway's membership in the cluster of gateways that share one Redis. */
public final class RedisCluster implements Cluster, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisCluster.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_IN_FLIGHT = 10_000;
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final String HEARTBEAT = """
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
            if ARGV[1] ~= '' then
              redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
              redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) * 4)
            end
            return redis.call('ZRANGE', KEYS[1], 0, -1)
            """;

    private final ClusterConfig config;
    private final String self;
    private final String busChannel;
    private final String ackChannel;
    private final String membersKey;
    private final ClientResources resources;
    private final RedisClient client;
    private final ScheduledExecutorService worker;
    private final Map<String, Subscriber> subscribers = new ConcurrentHashMap<>();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Set<String> subscribedChannels = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Counter errors;
    private final Counter missedSignals;
    private final MeterRegistry meters;
    private volatile StatefulRedisConnection<String, String> commands;
    private volatile StatefulRedisPubSubConnection<String, String> pubsub;
    private volatile Set<String> members = Set.of();
    private volatile boolean cutOff; // messages may have passed by since
    private volatile long lastHeartbeatNanos;
    private volatile String lastError = "";
    private ScheduledFuture<?> heartbeats;

    private RedisCluster(ClusterConfig config, String self, MeterRegistry meters) {
        this.config = config;
        this.self = self;
        this.meters = meters;
        this.busChannel = config.namespace() + ":bus";
        this.ackChannel = config.namespace() + ":ack:" + self;
        this.membersKey = config.namespace() + ":members";
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
        this.errors = Counter.builder("strata.cluster.errors").description("failed Redis operations of the cluster")
                .register(meters);
        this.missedSignals = Counter.builder("strata.cluster.missed.messages")
                .description("reconnections after which messages may have been missed").register(meters);
        Gauge.builder("strata.cluster.connected", this, c -> c.connected() ? 1 : 0)
                .description("1 while connected to Redis and subscribed").register(meters);
        Gauge.builder("strata.cluster.members", this, c -> c.members.size())
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
                errors.increment();
                lastError = rootMessage(failure);
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
            s.async().subscribe(busChannel, ackChannel).whenComplete((v, e) -> {
                if (e != null) {
                    errors.increment();
                    lastError = rootMessage(e);
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

    private void execute(Runnable task) {
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
        c.async().<List<String>>eval(HEARTBEAT, ScriptOutputType.MULTI, new String[] {membersKey},
                self, Long.toString(config.memberTtl().toMillis())).whenComplete((live, e) -> {
                    if (e != null) {
                        errors.increment();
                        lastError = rootMessage(e);
                        return;
                    }
                    members = Set.copyOf(live);
                    lastHeartbeatNanos = System.nanoTime();
                });
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
                && subscribedChannels.contains(busChannel) && subscribedChannels.contains(ackChannel);
    }

    @Override
    public Set<String> members() {
        return members;
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
        requireTopic(topic);
        subscribers.put(topic, subscriber);
        return () -> subscribers.remove(topic, subscriber);
    }

    @Override
    public CompletionStage<Broadcast> broadcast(String topic, String payload, Duration timeout) {
        requireTopic(topic);
        if (payload.getBytes(StandardCharsets.UTF_8).length > config.maxMessage().bytes()) {
            throw new IllegalArgumentException("payload: " + payload.length() + " characters (expected: at most "
                    + config.maxMessage() + ", cluster.max_message)");
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout: " + timeout + " (expected: > 0)");
        }
        long started = System.nanoTime();
        CompletableFuture<Broadcast> result = new CompletableFuture<>();
        StatefulRedisConnection<String, String> c = commands;
        if (pending.size() >= MAX_IN_FLIGHT) {
            errors.increment();
            result.completeExceptionally(new ClusterUnavailableException(pending.size()
                    + " broadcasts wait for acknowledgements already (at most " + MAX_IN_FLIGHT + ")", null));
            record(started, "failed");
            return result;
        }
        if (!connected() || c == null) {
            errors.increment();
            result.completeExceptionally(new ClusterUnavailableException("not connected to Redis at " + config.redis()
                    + (lastError.isEmpty() ? "" : " (" + lastError + ")"), null));
            record(started, "failed");
            return result;
        }
        String id = UUID.randomUUID().toString();
        c.async().<List<String>>eval(HEARTBEAT, ScriptOutputType.MULTI, new String[] {membersKey}, "", "0")
                .thenCompose(live -> {
                    Pending p = new Pending(Set.copyOf(live), result);
                    pending.put(id, p);
                    p.timeout = worker.schedule(() -> expire(id), timeout.toMillis(), TimeUnit.MILLISECONDS);
                    return c.async().publish(busChannel, String.join("\n", "v1", id, self, topic, payload));
                })
                .whenComplete((receivers, e) -> {
                    if (e != null) {
                        Pending p = pending.remove(id);
                        if (p != null && p.timeout != null) {
                            p.timeout.cancel(false);
                        }
                        errors.increment();
                        lastError = rootMessage(e);
                        result.completeExceptionally(new ClusterUnavailableException(
                                "broadcast on " + topic + " failed: " + lastError, e));
                    }
                });
        result.whenComplete((b, e) -> record(started, e != null ? "failed" : b.complete() ? "complete" : "partial"));
        return result;
    }

    private void record(long started, String outcome) {
        Timer.builder("strata.cluster.broadcast.latency").tag("outcome", outcome)
                .description("from a broadcast to its outcome").register(meters)
                .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }

    private void expire(String id) {
        Pending p = pending.remove(id);
        if (p == null) {
            return;
        }
        if (!connected()) {
            errors.increment();
            p.result.completeExceptionally(new ClusterUnavailableException("lost Redis at " + config.redis()
                    + " before every gateway acknowledged (" + p.snapshot().applied().size() + " of " + p.live.size() + ")", null));
        } else {
            p.result.complete(p.snapshot());
        }
    }

    private void onBus(String message) {
        String[] f = message.split("\n", 5);
        if (f.length != 5 || !f[0].equals("v1")) {
            errors.increment();
            return;
        }
        String id = f[1];
        String origin = f[2];
        String topic = f[3];
        String payload = f[4];
        if (!TOPIC.matcher(topic).matches() || origin.isEmpty() || origin.length() > 256 || id.length() > 64) {
            errors.increment();
            return;
        }
        execute(() -> {
            Subscriber s = subscribers.get(topic);
            CompletionStage<Void> applied;
            try {
                applied = s == null ? CompletableFuture.completedFuture(null) : s.apply(payload, origin);
            } catch (RuntimeException e) {
                applied = CompletableFuture.failedFuture(e);
            }
            applied.whenComplete((v, e) -> {
                if (e != null) {
                    LOG.warn("cluster: applying a message of {} from {} failed: {}", topic, origin, e.toString());
                }
                StatefulRedisConnection<String, String> c = commands;
                if (c != null) {
                    c.async().publish(config.namespace() + ":ack:" + origin,
                            String.join("\n", "v1", id, self, e == null ? "ok" : "failed")).whenComplete((n, pe) -> {
                                if (pe != null) {
                                    errors.increment();
                                }
                            });
                }
            });
        });
    }

    private void onAck(String message) {
        String[] f = message.split("\n", 4);
        if (f.length != 4 || !f[0].equals("v1")) {
            errors.increment();
            return;
        }
        Pending p = pending.get(f[1]);
        if (p != null && p.ack(f[2], f[3].equals("ok"))) {
            pending.remove(f[1]);
            p.timeout.cancel(false);
            p.result.complete(p.snapshot());
        }
    }

    private void resubscribed() {
        if (!cutOff || !subscribedChannels.contains(busChannel) || !subscribedChannels.contains(ackChannel)) {
            return;
        }
        cutOff = false;
        missedSignals.increment();
        LOG.info("cluster: subscribed again after a loss of Redis; telling {} subscriber(s) that messages may have been missed",
                subscribers.size());
        execute(() -> {
            heartbeat();
            for (Subscriber s : subscribers.values()) {
                try {
                    s.missedMessages();
                } catch (RuntimeException e) {
                    LOG.warn("cluster: a subscriber failed on missed messages: {}", e.toString());
                }
            }
        });
    }

    private static void requireTopic(String topic) {
        if (topic == null || !TOPIC.matcher(topic).matches()) {
            throw new IllegalArgumentException("topic: '" + topic + "' (expected: 1-64 of A-Z a-z 0-9 _ . : -)");
        }
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
        return new StateResource(this);
    }

    /** {@code GET /_strata/cluster} of a gateway outside any cluster. */
    public static AdminResource disabledResource() {
        return new StateResource(null);
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
                c.async().zrem(membersKey, self).get(config.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                LOG.debug("cluster: could not leave the member set: {}", e.toString());
            }
        }
        for (Pending p : pending.values()) {
            p.result.completeExceptionally(new ClusterUnavailableException("the gateway is stopping", null));
        }
        pending.clear();
        worker.shutdownNow();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    /** One broadcast waiting for acknowledgements. */
    private static final class Pending {
        final Set<String> live;
        final CompletableFuture<Broadcast> result;
        final Set<String> applied = new HashSet<>();
        final Set<String> failed = new HashSet<>();
        volatile ScheduledFuture<?> timeout;

        Pending(Set<String> live, CompletableFuture<Broadcast> result) {
            this.live = live;
            this.result = result;
        }

        /** Records one answer; returns whether every live member has answered now. */
        synchronized boolean ack(String member, boolean ok) {
            (ok ? applied : failed).add(member);
            Set<String> answered = new HashSet<>(applied);
            answered.addAll(failed);
            return answered.containsAll(live);
        }

        synchronized Broadcast snapshot() {
            return new Broadcast(live, applied, failed);
        }
    }

    private final class Messages extends RedisPubSubAdapter<String, String> {
        @Override
        public void message(String channel, String message) {
            if (message.length() > config.maxMessage().bytes() + 512) {
                errors.increment();
                return;
            }
            if (channel.equals(busChannel)) {
                onBus(message);
            } else if (channel.equals(ackChannel)) {
                onAck(message);
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

    private record StateResource(RedisCluster cluster) implements AdminResource {
        @Override
        public String path() {
            return "/_strata/cluster";
        }

        @Override
        public Set<String> methods() {
            return Set.of("GET");
        }

        @Override
        public CompletionStage<AdminReply> handle(AdminRequest request) {
            ObjectNode root = JSON.createObjectNode();
            root.put("enabled", cluster != null);
            if (cluster != null) {
                root.put("self", cluster.self);
                root.put("redis", cluster.config.redis());
                root.put("namespace", cluster.config.namespace());
                root.put("connected", cluster.connected());
                ArrayNode m = root.putArray("members");
                cluster.members.stream().sorted().forEach(m::add);
                long last = cluster.lastHeartbeatNanos;
                if (last != 0) {
                    root.put("last_heartbeat_ms_ago", (System.nanoTime() - last) / 1_000_000);
                }
                ArrayNode topics = root.putArray("topics");
                cluster.subscribers.keySet().stream().sorted().forEach(topics::add);
                root.put("broadcasts_in_flight", cluster.pending.size());
                if (!cluster.lastError.isEmpty()) {
                    root.put("last_error", cluster.lastError);
                }
            }
            return CompletableFuture.completedFuture(AdminReply.json(200, root.toString()));
        }
    }
}
