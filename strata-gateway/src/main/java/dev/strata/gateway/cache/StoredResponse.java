package dev.strata.gateway.cache;

import io.netty.buffer.ByteBuf;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One stored response: its head as received (less framing, hop-by-hop fields and {@code Age}), its body
 * in a pooled direct buffer, and what RFC 9111 §4.2 needs to tell its age and freshness.
 *
 * <h2>Design notes</h2>
 * The body is shared by the store and by every hit streaming it, on any thread. {@link #acquire} and
 * {@link #release} count those holders (the store is one); the buffer goes back to the pool when the
 * last lets go, never while a hit reads it. Counting here rather than on the buffer matters: a pooled
 * buffer object is recycled once released, so retaining a released one might retain another's memory.
 */
final class StoredResponse {

    final String key;
    final int status;
    final List<String> fields;
    final List<String> varyNames;  // lower case; empty: no Vary
    final List<String> varyValues; // normalised request values, null for an absent field
    final ByteBuf body;            // null when empty
    final int length;
    final long requestTime;        // epoch millis: the request that brought it was sent
    final long responseTime;       // epoch millis: its head arrived
    final long correctedInitialAge; // millis, §4.2.3
    final long lifetime;           // seconds, §4.2.1
    final CacheControl directives; // the response's (targeted ones first, RFC 9213)
    final String etag;
    final String lastModified;
    final List<String> tags;
    final int weight;
    private final AtomicInteger holders = new AtomicInteger(1);
    private volatile boolean invalid; // soft-purged: stale from now on
    /** The data position it was read at ({@link Positions}); set by its fill before the store has it. */
    long position = Positions.NONE;

    StoredResponse(String key, int status, List<String> fields, List<String> varyNames, List<String> varyValues,
                   ByteBuf body, long requestTime, long responseTime, long correctedInitialAge, long lifetime,
                   CacheControl directives, List<String> tags) {
        this.key = key;
        this.status = status;
        this.fields = List.copyOf(fields);
        this.varyNames = varyNames;
        this.varyValues = varyValues;
        this.body = body;
        this.length = body == null ? 0 : body.readableBytes();
        this.requestTime = requestTime;
        this.responseTime = responseTime;
        this.correctedInitialAge = correctedInitialAge;
        this.lifetime = lifetime;
        this.directives = directives;
        this.etag = Fields.first(fields, "ETag");
        this.lastModified = Fields.first(fields, "Last-Modified");
        this.tags = tags;
        long w = 160L + key.length() * 2L + length;
        for (String f : this.fields) {
            w += 40 + f.length() * 2L;
        }
        this.weight = (int) Math.min(Integer.MAX_VALUE, w);
    }

    /**
     * The fields that describe the stored bytes themselves: a 304 or a HEAD does not replace them
     * (§3.2: "header fields that the cache's stored response depends upon"), since the body they
     * describe is the one kept. Content-Length is already never stored (§3.2).
     */
    static final java.util.Set<String> DESCRIBE_BODY = java.util.Set.of("content-encoding", "content-range",
            "content-md5", "content-digest", "repr-digest", "digest");

    /**
     * This response with the fields of a {@code 304} (or a HEAD's 200) that validated it merged in
     * (§4.3.4: each field given replaces the stored ones of its name, but those of {@link #DESCRIBE_BODY}),
     * aged and timed anew. Shares the body (one more reference on the buffer: each response releases its own).
     */
    StoredResponse freshened(List<String> update, long requestTime, long responseTime, CacheSettings settings) {
        List<String> merged = new java.util.ArrayList<>(fields.size() + update.size());
        java.util.Set<String> replaced = new java.util.HashSet<>();
        for (int i = 0; i < update.size(); i += 2) {
            String n = update.get(i).toLowerCase(java.util.Locale.ROOT);
            if (!Fill.NOT_STORED.contains(n) && !DESCRIBE_BODY.contains(n)) {
                replaced.add(n);
            }
        }
        for (int i = 0; i < fields.size(); i += 2) {
            if (!replaced.contains(fields.get(i).toLowerCase(java.util.Locale.ROOT))) {
                merged.add(fields.get(i));
                merged.add(fields.get(i + 1));
            }
        }
        for (int i = 0; i < update.size(); i += 2) {
            if (replaced.contains(update.get(i).toLowerCase(java.util.Locale.ROOT))) {
                merged.add(update.get(i));
                merged.add(update.get(i + 1));
            }
        }
        CacheControl cc = Freshness.directives(merged);
        boolean targeted = Freshness.targeted(merged);
        return new StoredResponse(key, status, merged, varyNames, varyValues, body == null ? null : body.retain(),
                requestTime, responseTime, Freshness.correctedInitialAge(update, requestTime, responseTime),
                Freshness.lifetime(status, merged, cc, targeted, responseTime, settings), cc, tags);
    }

    /** §4.2.3 current_age, in seconds, at {@code now} (epoch millis). */
    long age(long now) {
        return (correctedInitialAge + Math.max(0, now - responseTime)) / 1000;
    }

    /** Whether it is fresh at {@code now}: within its lifetime and not soft-purged. */
    boolean fresh(long now) {
        return !invalid && lifetime > age(now);
    }

    /** Seconds of freshness left at {@code now}; negative when stale. */
    long ttl(long now) {
        return (invalid ? 0 : lifetime) - age(now);
    }

    /**
     * Whether, stale at {@code now}, it may still be served under the RFC 5861 directive {@code name}
     * (or the route's {@code fallback} seconds when it has none): within that many seconds past its
     * freshness, and unless it forbids serving stale (§4.2.4: {@code must-revalidate},
     * {@code proxy-revalidate}, {@code s-maxage}, {@code no-cache}).
     */
    boolean staleAllowed(String name, long fallback, long now) {
        CacheControl cc = directives;
        if (cc.has("must-revalidate") || cc.has("proxy-revalidate") || cc.has("s-maxage") || cc.has("no-cache")) {
            return false;
        }
        long window = cc.seconds(name);
        if (window < 0) {
            window = fallback;
        }
        return window > 0 && -ttl(now) <= window;
    }

    void invalidate() {
        invalid = true;
    }

    boolean invalidated() {
        return invalid;
    }

    /** Takes a hold of the body; false when the store let it go meanwhile (then it is not to be used). */
    boolean acquire() {
        for (;;) {
            int n = holders.get();
            if (n <= 0) {
                return false;
            }
            if (holders.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void release() {
        if (holders.decrementAndGet() == 0 && body != null) {
            body.release();
        }
    }
}
