package dev.strata.gateway.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A store's purge fences: per tag, the position of the latest write that purged it. A response read
 * before that position (from a replica that had not replayed the write yet) is not stored for the tag,
 * as a lease in Facebook's memcache (NSDI 2013) keeps a stale set out after a delete.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Order.</b> A purge raises its fences before it scans the store, and a fill asks the fences
 *   before and after it puts (see {@link Store#put}): whichever comes first, a response read before the
 *   write does not stay stored.</li>
 *   <li><b>Bounded.</b> A fence stands for {@code fence_window} after its last purge (longer than any
 *   replica lag the origin allows: after it, no replica that serves reads is behind the write), and at
 *   most {@code max_fences} tags are fenced. A fence pushed out by the bound (Caffeine picks which) is
 *   folded into the floor, a fence for every tag: nothing tagged read before it is stored. More misses, never a stale store. A
 *   fence that runs out of its window is simply dropped.</li>
 *   <li><b>Off</b> until a route with {@code positions} configures it: a store of a route without them
 *   keeps no fences and admits everything.</li>
 * </ul>
 * Thread-safe.
 */
final class Fences {

    private volatile Cache<String, Long> byTag; // null: off
    private volatile Duration window;
    private volatile int max;
    private final AtomicLong floor = new AtomicLong(Positions.NONE);

    /** Turns the fences on with {@code window} and {@code max} (kept when unchanged), or off for {@code null}. */
    synchronized void configure(CacheSettings.Positions settings) {
        if (settings == null) {
            byTag = null;
            return;
        }
        if (byTag != null && settings.fenceWindow().equals(window) && settings.maxFences() == max) {
            return;
        }
        window = settings.fenceWindow();
        max = settings.maxFences();
        Cache<String, Long> next = Caffeine.newBuilder().expireAfterWrite(window).maximumSize(max)
                .executor(Runnable::run)
                .removalListener((String tag, Long position, RemovalCause cause) -> {
                    if (cause == RemovalCause.SIZE && position != null) {
                        floor.accumulateAndGet(position, Math::max);
                    }
                })
                .build();
        Cache<String, Long> before = byTag;
        if (before != null) {
            before.asMap().forEach((tag, p) -> next.asMap().merge(tag, p, Math::max));
        }
        byTag = next;
    }

    boolean enabled() {
        return byTag != null;
    }

    /** A write at {@code position} purged {@code tags}; a fence at a later position stays. */
    void raise(Collection<String> tags, long position) {
        Cache<String, Long> c = byTag;
        if (c == null || position == Positions.NONE) {
            return;
        }
        for (String t : tags) {
            c.asMap().merge(t, position, Math::max);
        }
    }

    /** Whether a response with {@code tags} read at {@code position} may be stored. */
    boolean admits(List<String> tags, long position) {
        Cache<String, Long> c = byTag;
        if (c == null || tags.isEmpty()) {
            return true;
        }
        long f = floor.get();
        if (f != Positions.NONE && position < f) {
            return false;
        }
        for (String t : tags) {
            Long fence = c.getIfPresent(t);
            if (fence != null && position < fence) {
                return false;
            }
        }
        return true;
    }

    /** The tags fenced now (after pending maintenance). */
    long size() {
        Cache<String, Long> c = byTag;
        if (c == null) {
            return 0;
        }
        c.cleanUp();
        return c.estimatedSize();
    }
}
