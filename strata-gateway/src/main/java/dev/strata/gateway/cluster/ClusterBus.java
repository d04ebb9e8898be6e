package dev.strata.gateway.cluster;

import dev.strata.gateway.cluster.Cluster.Broadcast;
import dev.strata.gateway.cluster.Cluster.Subscriber;
import io.lettuce.core.api.StatefulRedisConnection;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
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
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broadcast bus of the cluster: messages to every live gateway, and their acknowledgements.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Channels.</b> Every gateway subscribes to {@code <namespace>:bus} (all topics) and to its own
 *   {@code <namespace>:ack:<name>}. A broadcast reads the live set ({@link Membership#live}), then
 *   publishes {@code v1, id, origin, topic, payload}; each receiver applies it (on the cluster's thread,
 *   never Lettuce's event loop) and publishes {@code v1, id, name, ok|failed} to the origin's ack
 *   channel.</li>
 *   <li><b>Completion.</b> The stage completes when every member of the live set answered, or at the
 *   timeout with what it has (or fails, when Redis is unreachable by then). At most
 *   {@value #MAX_IN_FLIGHT} broadcasts of this gateway wait at once.</li>
 *   <li><b>Hostile messages.</b> A message of another version, with a bad topic, origin or id, is
 *   counted as an error and dropped.</li>
 * </ul>
 * Threading: called from any thread; the maps are concurrent and a {@link Pending} is its own monitor.
 */
final class ClusterBus {

    private static final Logger LOG = LoggerFactory.getLogger(ClusterBus.class);
    private static final int MAX_IN_FLIGHT = 10_000;
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");

    /** {@code <namespace>:bus}, every gateway's. */
    final String channel;
    /** {@code <namespace>:ack:<self>}, this gateway's acknowledgements. */
    final String ackChannel;
    private final RedisCluster cluster;
    private final ClusterConfig config;
    private final String self;
    private final Membership membership;
    private final ScheduledExecutorService worker;
    private final MeterRegistry meters;
    private final Map<String, Subscriber> subscribers = new ConcurrentHashMap<>();
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    ClusterBus(RedisCluster cluster, ClusterConfig config, String self, Membership membership,
               ScheduledExecutorService worker, MeterRegistry meters) {
        this.cluster = cluster;
        this.config = config;
        this.self = self;
        this.membership = membership;
        this.worker = worker;
        this.meters = meters;
        this.channel = config.namespace() + ":bus";
        this.ackChannel = config.namespace() + ":ack:" + self;
    }

    AutoCloseable subscribe(String topic, Subscriber subscriber) {
        requireTopic(topic);
        subscribers.put(topic, subscriber);
        return () -> subscribers.remove(topic, subscriber);
    }

    CompletionStage<Broadcast> broadcast(String topic, String payload, Duration timeout) {
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
        StatefulRedisConnection<String, String> c = cluster.commands();
        if (pending.size() >= MAX_IN_FLIGHT) {
            cluster.failed();
            result.completeExceptionally(new ClusterUnavailableException(pending.size()
                    + " broadcasts wait for acknowledgements already (at most " + MAX_IN_FLIGHT + ")", null));
            record(started, "failed");
            return result;
        }
        if (!cluster.connected() || c == null) {
            cluster.failed();
            String lastError = cluster.lastError();
            result.completeExceptionally(new ClusterUnavailableException("not connected to Redis at " + config.redis()
                    + (lastError.isEmpty() ? "" : " (" + lastError + ")"), null));
            record(started, "failed");
            return result;
        }
        String id = UUID.randomUUID().toString();
        membership.live(c)
                .thenCompose(live -> {
                    Pending p = new Pending(Set.copyOf(live), result);
                    pending.put(id, p);
                    p.timeout = worker.schedule(() -> expire(id), timeout.toMillis(), TimeUnit.MILLISECONDS);
                    return c.async().publish(channel, String.join("\n", "v1", id, self, topic, payload));
                })
                .whenComplete((receivers, e) -> {
                    if (e != null) {
                        Pending p = pending.remove(id);
                        if (p != null && p.timeout != null) {
                            p.timeout.cancel(false);
                        }
                        String why = cluster.failed(e);
                        result.completeExceptionally(new ClusterUnavailableException(
                                "broadcast on " + topic + " failed: " + why, e));
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
        if (!cluster.connected()) {
            cluster.failed();
            p.result.completeExceptionally(new ClusterUnavailableException("lost Redis at " + config.redis()
                    + " before every gateway acknowledged (" + p.snapshot().applied().size() + " of " + p.live.size() + ")", null));
        } else {
            p.result.complete(p.snapshot());
        }
    }

    /** A message on {@link #channel}: applied by this topic's subscriber, then acknowledged to its origin. */
    void onBus(String message) {
        String[] f = message.split("\n", 5);
        if (f.length != 5 || !f[0].equals("v1")) {
            cluster.failed();
            return;
        }
        String id = f[1];
        String origin = f[2];
        String topic = f[3];
        String payload = f[4];
        if (!TOPIC.matcher(topic).matches() || origin.isEmpty() || origin.length() > 256 || id.length() > 64) {
            cluster.failed();
            return;
        }
        cluster.execute(() -> {
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
                StatefulRedisConnection<String, String> c = cluster.commands();
                if (c != null) {
                    c.async().publish(config.namespace() + ":ack:" + origin,
                            String.join("\n", "v1", id, self, e == null ? "ok" : "failed")).whenComplete((n, pe) -> {
                                if (pe != null) {
                                    cluster.failed();
                                }
                            });
                }
            });
        });
    }

    /** A message on {@link #ackChannel}: one gateway's answer to one of this gateway's broadcasts. */
    void onAck(String message) {
        String[] f = message.split("\n", 4);
        if (f.length != 4 || !f[0].equals("v1")) {
            cluster.failed();
            return;
        }
        Pending p = pending.get(f[1]);
        if (p != null && p.ack(f[2], f[3].equals("ok"))) {
            pending.remove(f[1]);
            p.timeout.cancel(false);
            p.result.complete(p.snapshot());
        }
    }

    /** This gateway was cut off from the bus and is subscribed again: every subscriber is told. */
    void missedMessages() {
        for (Subscriber s : subscribers.values()) {
            try {
                s.missedMessages();
            } catch (RuntimeException e) {
                LOG.warn("cluster: a subscriber failed on missed messages: {}", e.toString());
            }
        }
    }

    int subscriberCount() {
        return subscribers.size();
    }

    /** The topics with a subscriber here, sorted. */
    List<String> topics() {
        return subscribers.keySet().stream().sorted().toList();
    }

    int inFlight() {
        return pending.size();
    }

    /** The gateway stops: broadcasts still waiting fail. */
    void close() {
        for (Pending p : pending.values()) {
            p.result.completeExceptionally(new ClusterUnavailableException("the gateway is stopping", null));
        }
        pending.clear();
    }

    private static void requireTopic(String topic) {
        if (topic == null || !TOPIC.matcher(topic).matches()) {
            throw new IllegalArgumentException("topic: '" + topic + "' (expected: 1-64 of A-Z a-z 0-9 _ . : -)");
        }
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
}
