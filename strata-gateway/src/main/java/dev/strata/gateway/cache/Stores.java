package dev.strata.gateway.cache;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The gateway's cache stores, one per route that caches, as purges and the admin view reach them. Kept
 * across reloads; a store whose route no longer caches is closed by the reload (stores are the routes'
 * filter state) and leaves this registry then.
 *
 * <p>This is the narrow entry for purges that come from elsewhere (another gateway): {@link #apply}
 * and {@link #mayHaveMissedPurges}.
 */
public final class Stores {

    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(Stores.class);

    private final Map<String, Store> byRoute = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.LongAdder purges = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder unacknowledged = new java.util.concurrent.atomic.LongAdder();
    private volatile PurgeFanout fanout; // null without a cluster

    void fanout(PurgeFanout fanout) {
        this.fanout = fanout;
    }

    /** The cluster's purge bus, or {@code null} when this gateway is alone. */
    PurgeFanout fanout() {
        return fanout;
    }

    /**
     * A purge this gateway took (an origin's invalidation): applied here, then, with a cluster, published
     * to the other gateways. Returns {@code null} without a cluster, else a stage that completes once
     * every live gateway acknowledged it or {@code timeout} passed (never exceptionally: a purge that did
     * not reach every gateway is counted and logged).
     */
    java.util.concurrent.CompletionStage<Void> applyEverywhere(PurgeRequest purge, java.time.Duration timeout) {
        apply(purge);
        PurgeFanout f = fanout;
        if (f == null) {
            return null;
        }
        return f.publish(purge, timeout).handle((b, e) -> {
            if (e != null || !b.complete()) {
                unacknowledged.increment();
                log.warn("an invalidation reached not every gateway in {}: {}", timeout,
                        e != null ? e.toString() : "missing " + b.missing());
            }
            return null;
        });
    }

    /** Invalidations that some live gateway did not acknowledge in time (or that Redis did not take). */
    long unacknowledged() {
        return unacknowledged.sum();
    }

    void register(String route, Store store) {
        byRoute.put(route, store);
        store.onClose(() -> byRoute.remove(route, store));
    }

    /** Applies {@code purge} to every store; returns how many stored responses it removed or marked stale. */
    public int apply(PurgeRequest purge) {
        purges.increment();
        int n = 0;
        for (Store s : byRoute.values()) {
            n += s.apply(purge);
        }
        return n;
    }

    /**
     * Purges may have been missed (this gateway was cut off from its peers): everything stored is marked
     * stale, to be validated before it is used again. Returns how many responses that touched.
     */
    public int mayHaveMissedPurges() {
        int n = 0;
        for (Store s : byRoute.values()) {
            n += s.markAllStale();
        }
        return n;
    }

    long purges() {
        return purges.sum();
    }

    Map<String, Store> byRoute() {
        return byRoute;
    }

    /** The {@code n} largest stored responses of every store, largest first. */
    List<StoredResponse> largest(int n) {
        List<StoredResponse> all = new ArrayList<>();
        for (Store s : byRoute.values()) {
            for (Store.Variants v : s.all()) {
                all.addAll(List.of(v.responses()));
            }
        }
        all.sort(Comparator.comparingInt((StoredResponse r) -> r.length).reversed());
        return all.subList(0, Math.min(n, all.size()));
    }
}
