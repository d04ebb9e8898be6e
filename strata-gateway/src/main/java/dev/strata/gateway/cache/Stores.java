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
    private volatile PurgeFanout fanout; // null without a cluster

    void fanout(PurgeFanout fanout) {
        this.fanout = fanout;
    }

    /** The cluster's purge bus, or {@code null} when this gateway is alone. */
    PurgeFanout fanout() {
        return fanout;
    }

    /**
     * A purge this gateway took (the admin API's, an origin's invalidation): applied here, then, with a
     * cluster, published to the other gateways without waiting. Returns how many responses it touched here.
     */
    int applyEverywhere(PurgeRequest purge) {
        int n = apply(purge);
        PurgeFanout f = fanout;
        if (f != null) {
            f.publish(purge).whenComplete((b, e) -> {
                if (e != null || !b.complete()) {
                    log.warn("an invalidation reached not every gateway: {}",
                            e != null ? e.toString() : "missing " + b.missing());
                }
            });
        }
        return n;
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
