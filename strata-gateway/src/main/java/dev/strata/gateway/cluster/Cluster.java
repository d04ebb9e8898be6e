package dev.strata.gateway.cluster;

import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The gateways that share one Redis, as one gateway sees them: who is live, a bus that reaches all of
 * them with acknowledgements, and the Redis connection itself for shared state (such as a rate
 * limiter's script). A filter gets it from {@link dev.strata.gateway.filter.FilterBuild#cluster()}.
 *
 * <p>Nothing here blocks: every call returns at once or with a stage. While Redis is unreachable the
 * stages fail within their timeout ({@link ClusterUnavailableException}), and the cluster reconnects
 * in the background.
 */
public interface Cluster {

    /** This gateway's name in the cluster ({@code gateway.name}). */
    String self();

    /** Whether this gateway is connected to Redis now. */
    boolean connected();

    /** The live gateways as of the last heartbeat (this one included while connected). */
    Set<String> members();

    /**
     * Publishes {@code payload} on {@code topic} to every live gateway (this one included); each one's
     * subscriber for {@code topic} applies it and acknowledges. Completes once every gateway that was
     * live when it was published has acknowledged, or after {@code timeout} with what was acknowledged
     * by then; fails with {@link ClusterUnavailableException} when Redis could not be reached (or when
     * too many broadcasts of this gateway wait already). Throws {@link IllegalArgumentException} for a
     * topic outside {@code [A-Za-z0-9_.:-]{1,64}}, a payload over {@code cluster.max_message} or a
     * timeout that is not positive.
     */
    CompletionStage<Broadcast> broadcast(String topic, String payload, Duration timeout);

    /**
     * How long a feature's broadcast waits for every live gateway's acknowledgement
     * ({@code cluster.ack_timeout}): the {@code timeout} to give {@link #broadcast}.
     */
    Duration ackTimeout();

    /**
     * Registers the subscriber of {@code topic} on this gateway (one per topic; a second replaces the
     * first). A gateway without a subscriber for a topic acknowledges its messages at once, as there is
     * nothing to apply. Returns what undoes the registration.
     */
    AutoCloseable subscribe(String topic, Subscriber subscriber);

    /**
     * The shared command connection (String keys and values) for state of a feature's own: scripts,
     * counters. Keys should start with {@link #key}. Commands fail fast while disconnected, and the
     * call itself throws {@link ClusterUnavailableException} until the first connection is made.
     */
    StatefulRedisConnection<String, String> redis();

    /** {@code <namespace>:<name>}: a key of this cluster. */
    String key(String name);

    /** What a gateway does with the messages of one topic. */
    interface Subscriber {

        /**
         * Applies one message; the acknowledgement goes out when the stage completes normally (a failed
         * stage counts as not applied). Runs on the cluster's thread: hand long work elsewhere.
         */
        CompletionStage<Void> apply(String payload, String from);

        /**
         * This gateway was cut off from Redis and is connected again: messages sent meanwhile may never
         * have reached it (drop or revalidate what depends on them).
         */
        default void missedMessages() {}
    }

    /**
     * The outcome of one broadcast.
     *
     * @param live      the gateways live when it was published
     * @param applied   those that applied it
     * @param failed    those that answered that applying failed
     */
    record Broadcast(Set<String> live, Set<String> applied, Set<String> failed) {

        public Broadcast {
            live = Set.copyOf(live);
            applied = Set.copyOf(applied);
            failed = Set.copyOf(failed);
        }

        /** Whether every live gateway applied it. */
        public boolean complete() {
            return applied.containsAll(live);
        }

        /** Live gateways that did not acknowledge in time. */
        public Set<String> missing() {
            return live.stream().filter(m -> !applied.contains(m) && !failed.contains(m))
                    .collect(java.util.stream.Collectors.toUnmodifiableSet());
        }
    }
}
