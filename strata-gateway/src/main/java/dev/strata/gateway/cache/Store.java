package dev.strata.gateway.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import dev.strata.gateway.filter.RequestView;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.LongAdder;

/**
 * A route's stored responses: primary key (scheme, host, target) to its variants (one per set of the
 * request values its {@code Vary} names, newest first). Caffeine bounds it by weight in bytes, bodies and
 * heads, with W-TinyLFU admission, so a flood of one-hit URLs does not flush the hot set.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li>Every change of a key's variants goes through {@code compute}: a variant replaced or dropped is
 *   released there, after it left the map; a whole entry that Caffeine evicts or that is removed is
 *   released by the removal listener. So a response is released once, when the store lets go of it;
 *   a hit that still streams it holds it on (see {@link StoredResponse}).</li>
 *   <li>Maintenance (eviction, the listener) runs on the calling thread: a store never needs a thread
 *   of its own, and the memory is given back at once.</li>
 * </ul>
 */
final class Store implements AutoCloseable {

    static final int MAX_VARIANTS = 8;

    /** A key's variants, newest first. Immutable. */
    record Variants(StoredResponse[] responses, int weight) {
        static Variants of(List<StoredResponse> list) {
            long w = 0;
            for (StoredResponse r : list) {
                w += r.weight;
            }
            return new Variants(list.toArray(new StoredResponse[0]), (int) Math.min(Integer.MAX_VALUE, w));
        }
    }

    /** What a lookup found: the response (held: release it), or why none. */
    record Found(StoredResponse response, boolean keyKnown) {}

    /** How long a key whose response was not storable is fetched without coalescing. */
    static final java.time.Duration PASS_TIME = java.time.Duration.ofSeconds(30);

    private final Cache<String, Variants> cache;
    private final java.util.concurrent.ConcurrentHashMap<String, InFlight> inFlight = new java.util.concurrent.ConcurrentHashMap<>();
    private final Cache<String, Boolean> passes = Caffeine.newBuilder().maximumSize(100_000)
            .expireAfterWrite(PASS_TIME).executor(Runnable::run).build();
    private final java.util.Set<String> revalidating = java.util.concurrent.ConcurrentHashMap.newKeySet();
    final LongAdder evictions = new LongAdder();
    final LongAdder staleServed = new LongAdder();
    final LongAdder purged = new LongAdder();
    final LongAdder hits = new LongAdder();
    final LongAdder coalesced = new LongAdder();
    final java.util.concurrent.ConcurrentHashMap<String, LongAdder> misses = new java.util.concurrent.ConcurrentHashMap<>();
    final Fences fences = new Fences();
    final LongAdder fenced = new LongAdder();

    void missed(String kind) {
        misses.computeIfAbsent(kind, k -> new LongAdder()).increment();
    }

    long missesTotal() {
        long n = 0;
        for (LongAdder a : misses.values()) {
            n += a.sum();
        }
        return n;
    }

    Store(long budgetBytes) {
        cache = Caffeine.newBuilder()
                .maximumWeight(budgetBytes)
                .weigher((String k, Variants v) -> v.weight())
                .executor(Runnable::run)
                .removalListener((String k, Variants v, RemovalCause cause) -> {
                    if (cause == RemovalCause.REPLACED || v == null) {
                        return; // compute released what it dropped
                    }
                    if (cause.wasEvicted()) {
                        evictions.increment();
                    }
                    for (StoredResponse r : v.responses()) {
                        r.release();
                    }
                })
                .build();
    }

    /** The fetch under way for {@code key}, or {@code null} after making {@code mine} it. */
    InFlight fetching(String key, InFlight mine) {
        return inFlight.putIfAbsent(key, mine);
    }

    /** {@code f} is decided: later misses no longer wait for it. */
    void finished(InFlight f) {
        inFlight.remove(f.key, f);
    }

    /** {@code key}'s response was not storable: for a while, misses of it go upstream without waiting. */
    void pass(String key) {
        passes.put(key, Boolean.TRUE);
    }

    boolean passing(String key) {
        return passes.getIfPresent(key) != null;
    }

    /** Whether a background revalidation of {@code key} may start (none is under way); then it is. */
    boolean startRevalidation(String key) {
        return revalidating.size() < 10_000 && revalidating.add(key);
    }

    void endRevalidation(String key) {
        revalidating.remove(key);
    }

    void resize(long budgetBytes) {
        cache.policy().eviction().ifPresent(e -> e.setMaximum(budgetBytes));
    }

    /** The newest variant of {@code key} that {@code request} selects (§4.1), held; or why there is none. */
    Found lookup(String key, RequestView request) {
        Variants v = cache.getIfPresent(key);
        if (v == null) {
            return new Found(null, false);
        }
        for (StoredResponse r : v.responses()) {
            if (Vary.matches(r, request) && r.acquire()) {
                return new Found(r, true);
            }
        }
        return new Found(null, true);
    }

    /** Stores {@code r} as the newest variant of its key, replacing one of the same secondary key. */
    void put(StoredResponse r) {
        if (closed) {
            r.release(); // a fill of a generation whose route no longer caches
            return;
        }
        if (!fences.admits(r.tags, r.position)) {
            fenced.increment(); // read before a write that purged one of its tags
            r.release();
            return;
        }
        passes.invalidate(r.key);
        List<StoredResponse> dropped = new ArrayList<>(1);
        cache.asMap().compute(r.key, (k, before) -> {
            List<StoredResponse> next = new ArrayList<>(4);
            next.add(r);
            if (before != null) {
                for (StoredResponse old : before.responses()) {
                    if (next.size() < MAX_VARIANTS && !sameSecondaryKey(old, r)) {
                        next.add(old);
                    } else {
                        dropped.add(old);
                    }
                }
            }
            return Variants.of(next);
        });
        dropped.forEach(StoredResponse::release);
        if (!fences.admits(r.tags, r.position)) {
            drop(r); // a purge that came while it was put (see Fences)
        }
    }

    /** Removes {@code r} where it still is. */
    private void drop(StoredResponse r) {
        boolean[] done = new boolean[2];
        cache.asMap().computeIfPresent(r.key, (k, before) -> {
            List<StoredResponse> keep = new ArrayList<>(before.responses().length);
            for (StoredResponse o : before.responses()) {
                if (o == r) {
                    done[0] = true;
                } else {
                    keep.add(o);
                }
            }
            done[1] = keep.isEmpty();
            return keep.isEmpty() ? null : Variants.of(keep);
        });
        if (done[0] && !done[1]) {
            r.release(); // an emptied entry's went through the removal listener
        }
        fenced.increment();
    }

    /** Replaces {@code old} by {@code fresher} where it still is (a 304 freshened it); false when it is gone. */
    boolean replace(StoredResponse old, StoredResponse fresher) {
        boolean[] done = new boolean[1];
        cache.asMap().computeIfPresent(old.key, (k, before) -> {
            List<StoredResponse> next = new ArrayList<>(before.responses().length);
            for (StoredResponse r : before.responses()) {
                if (r == old) {
                    next.add(fresher);
                    done[0] = true;
                } else {
                    next.add(r);
                }
            }
            return Variants.of(next);
        });
        if (done[0]) {
            old.release();
        }
        return done[0];
    }

    /** Removes every variant of {@code key}; returns how many there were. */
    int remove(String key) {
        Variants v = cache.asMap().remove(key);
        return v == null ? 0 : v.responses().length;
    }

    /** Applies {@code purge} here; returns how many stored responses it removed or marked stale. */
    int apply(PurgeRequest purge) {
        if (purge.position() != null) {
            fences.raise(purge.tags(), Positions.parse(purge.position())); // before the scan (see Fences)
        }
        int n = 0;
        java.util.Set<String> exact = new java.util.HashSet<>();
        List<String> paths = new ArrayList<>();
        for (String u : purge.urls()) {
            if (u.startsWith("/")) {
                paths.add(u);
            } else {
                exact.add(normalisedUrl(u));
            }
        }
        java.util.Set<String> tags = new java.util.HashSet<>(purge.tags());
        for (String key : keys()) {
            String target = target(key);
            boolean byUrl = exact.contains(key) || paths.contains(target)
                    || (purge.prefix() != null && target.startsWith(purge.prefix()));
            if (byUrl) {
                n += purge.soft() ? markStale(key) : remove(key);
                continue;
            }
            if (!tags.isEmpty()) {
                n += purgeTagged(key, tags, purge.soft());
            }
        }
        purged.add(n);
        return n;
    }

    private int purgeTagged(String key, java.util.Set<String> tags, boolean soft) {
        Variants v = cache.getIfPresent(key);
        if (v == null) {
            return 0;
        }
        List<StoredResponse> tagged = new ArrayList<>();
        for (StoredResponse r : v.responses()) {
            for (String t : r.tags) {
                if (tags.contains(t)) {
                    tagged.add(r);
                    break;
                }
            }
        }
        if (tagged.isEmpty()) {
            return 0;
        }
        if (soft) {
            tagged.forEach(StoredResponse::invalidate);
            return tagged.size();
        }
        List<StoredResponse> dropped = new ArrayList<>();
        boolean[] emptied = new boolean[1];
        cache.asMap().computeIfPresent(key, (k, before) -> {
            dropped.clear();
            List<StoredResponse> keep = new ArrayList<>();
            for (StoredResponse r : before.responses()) {
                if (tagged.contains(r)) {
                    dropped.add(r);
                } else {
                    keep.add(r);
                }
            }
            emptied[0] = keep.isEmpty();
            return keep.isEmpty() ? null : Variants.of(keep);
        });
        if (!emptied[0]) {
            dropped.forEach(StoredResponse::release); // an emptied entry's went through the removal listener
        }
        return dropped.size();
    }

    private int markStale(String key) {
        Variants v = cache.getIfPresent(key);
        if (v == null) {
            return 0;
        }
        for (StoredResponse r : v.responses()) {
            r.invalidate();
        }
        return v.responses().length;
    }

    /** Marks every stored response stale; returns how many. */
    int markAllStale() {
        int n = 0;
        for (String key : keys()) {
            n += markStale(key);
        }
        return n;
    }

    /** {@code http://HOST/path?q} as keys spell it (host lower case, {@code https} as {@code http}). */
    static String normalisedUrl(String url) {
        String rest = url.startsWith("https://") ? url.substring(8) : url.substring(7);
        int slash = rest.indexOf('/');
        String host = slash < 0 ? rest : rest.substring(0, slash);
        String target = slash < 0 ? "/" : rest.substring(slash);
        return "http://" + host.toLowerCase(java.util.Locale.ROOT) + target;
    }

    /** The target part of a key ({@code /path?query}). */
    static String target(String key) {
        int slash = key.indexOf('/', 7);
        int nl = key.indexOf('\n');
        return slash < 0 ? "/" : key.substring(slash, nl < 0 ? key.length() : nl);
    }

    /** Every key now stored (a snapshot, for purges and the admin view). */
    Iterable<Variants> all() {
        return List.copyOf(cache.asMap().values());
    }

    Iterable<String> keys() {
        return List.copyOf(cache.asMap().keySet());
    }

    /**
     * Lets go of this store's coldest responses until {@code bytes} are given back (or it is empty): what a
     * fill that found no direct memory does ({@link DirectMemory}), so that a store that shares the limit
     * with others keeps taking new bodies rather than none.
     */
    void shed(long bytes) {
        cache.policy().eviction().ifPresent(e -> {
            long freed = 0;
            for (Map.Entry<String, Variants> entry : e.coldest(16).entrySet()) {
                if (freed >= bytes) {
                    return;
                }
                if (cache.asMap().remove(entry.getKey(), entry.getValue())) {
                    freed += entry.getValue().weight();
                    evictions.increment();
                }
            }
        });
    }

    /** The bytes the stored responses weigh (after pending maintenance). */
    long bytes() {
        return cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
    }

    long keysStored() {
        return cache.estimatedSize();
    }

    void cleanUp() {
        cache.cleanUp();
    }

    private volatile boolean closed;
    private volatile Runnable onClose = () -> {};

    void onClose(Runnable r) {
        onClose = r;
    }

    /** The route no longer caches: everything stored is let go, and later fills are not kept. */
    @Override
    public void close() {
        closed = true;
        onClose.run();
        clear();
    }

    void clear() {
        cache.invalidateAll();
        cache.cleanUp();
    }

    private static boolean sameSecondaryKey(StoredResponse a, StoredResponse b) {
        return a.varyNames.equals(b.varyNames) && Objects.equals(a.varyValues, b.varyValues);
    }
}
