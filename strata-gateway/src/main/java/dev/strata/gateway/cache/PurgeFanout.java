package dev.strata.gateway.cache;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.gateway.cluster.Cluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Purges across the gateways that share one Redis: a purge one gateway takes is published on the
 * cluster's bus, and every live gateway (this one included) applies it to its stores and acknowledges.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Answered after all applied.</b> An admin purge answers when the broadcast completed: every
 *   gateway that was live when it went out has acknowledged (or the bounded wait ran out, and the
 *   answer says which are missing). The gateway that took it applies it first, locally, so its own
 *   store never waits for Redis, and acknowledges its own message without scanning its stores again.</li>
 *   <li><b>Missed purges.</b> Redis keeps no message: a gateway cut off from it may have missed some.
 *   When it is connected again, everything it stores is marked stale, to be validated with the origin
 *   before it is served again (soft, so stale-if-error still has it).</li>
 *   <li><b>One subscription per gateway</b>: this object is the cache's state, kept across reloads and
 *   closed (unsubscribed) by the reload after which no route caches.</li>
 * </ul>
 */
final class PurgeFanout implements Cluster.Subscriber, AutoCloseable {

    static final String TOPIC = "cache.purge";
    private static final Logger log = LoggerFactory.getLogger(PurgeFanout.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Stores stores;
    private final Cluster cluster;
    private final AutoCloseable subscription;

    PurgeFanout(Stores stores, Cluster cluster) {
        this.stores = stores;
        this.cluster = cluster;
        this.subscription = cluster.subscribe(TOPIC, this);
    }

    /**
     * Publishes {@code purge} to every live gateway; completes when all applied it, or after
     * {@code cluster.ack_timeout} with those missing.
     */
    CompletionStage<Cluster.Broadcast> publish(PurgeRequest purge) {
        return publish(purge, cluster.ackTimeout());
    }

    /** Publishes {@code purge} to every live gateway; completes when all applied it, or at {@code timeout}. */
    CompletionStage<Cluster.Broadcast> publish(PurgeRequest purge, Duration timeout) {
        String payload;
        try {
            payload = JSON.writeValueAsString(purge);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            return cluster.broadcast(TOPIC, payload, timeout);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** How many gateways a purge should reach now (this one included, while connected). */
    int live() {
        return cluster.members().size();
    }

    @Override
    public CompletionStage<Void> apply(String payload, String from) {
        if (from.equals(cluster.self())) {
            return CompletableFuture.completedFuture(null); // applied here before it was published
        }
        try {
            stores.apply(JSON.readValue(payload, PurgeRequest.class));
            return CompletableFuture.completedFuture(null);
        } catch (IOException | IllegalArgumentException e) {
            log.warn("a purge from {} could not be read: {}", from, e.toString());
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void missedMessages() {
        int n = stores.mayHaveMissedPurges();
        log.info("cache: back on the cluster after a cut; {} stored responses to validate before use", n);
    }

    @Override
    public void close() throws Exception {
        subscription.close();
    }
}
