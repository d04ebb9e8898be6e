package dev.strata.gateway.cache;

import dev.strata.gateway.filter.ExchangeOutcome;
import dev.strata.gateway.filter.RequestView;
import dev.strata.gateway.filter.ResponseEdits;
import dev.strata.gateway.filter.ResponseObserver;
import dev.strata.gateway.filter.ResponseView;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One miss on its way back from the upstream: marks the response, and when it may be stored copies its
 * body as it streams to the client, hands the copy to the requests waiting for it ({@link InFlight}) and
 * stores it at its end.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li>The copy lives in pooled direct buffers, never on the heap. A body with a length larger than
 *   {@code max_object_size} is not copied at all; one without a length is copied while it streams and
 *   let go the moment it grows past the limit: memory per fill is bounded by the limit.</li>
 *   <li>A storable response is read to its end even if the client goes away
 *   ({@link ResponseEdits#readToEndWithoutClient}), so the waiters and the next clients get it.</li>
 *   <li>Only a complete body is stored: the pieces are joined into one buffer at the upstream's end;
 *   {@link #onComplete} without an end fails the waiters and lets the pieces go.</li>
 *   <li>The fill leaves the store's in-flight map once it is decided: at once when the response is not
 *   stored (the waiters go upstream in parallel, and the key is remembered as uncacheable for a while
 *   so that later misses do not queue behind each other), after the store put when it is.</li>
 * </ul>
 * Confined to the request's event loop (the {@link InFlight} is shared, and thread-safe).
 */
final class Fill implements ResponseObserver {

    /** Fields never stored: the framing and hop-by-hop ones, and {@code Age} (recomputed on every hit). */
    static final Set<String> NOT_STORED = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "content-length", "age", "cache-status", "x-served-by",
            "surrogate-key", "cache-tag");

    private final CacheFilter cache;
    private final RequestView request;
    private final String key;
    private final String fwd;
    private final long requestTime;
    private final boolean mayStore;
    private final InFlight shared;     // waiters for this fetch, or an unshared one
    private final boolean registered;  // shared sits in the store's in-flight map
    private StoredResponse stale;      // held while the origin is asked for a fresher one; null when none
    private final boolean validating;  // the request upstream asks whether stale is still good
    private boolean replaced;

    // the copy under way
    private StoredResponse head;       // what will be stored, without its body
    private long expectedLength = -1;
    private long copied;
    private boolean copying;
    private boolean done;

    Fill(CacheFilter cache, RequestView request, String key, String fwd, long requestTime, boolean mayStore,
         StoredResponse stale, boolean validating, InFlight shared, boolean registered) {
        this.cache = cache;
        this.request = request;
        this.key = key;
        this.fwd = fwd;
        this.requestTime = requestTime;
        this.mayStore = mayStore;
        this.stale = stale;
        this.validating = validating;
        this.shared = shared;
        this.registered = registered;
    }

    @Override
    public void onResponseHead(ResponseView response, ResponseEdits edits) {
        if (replaced || done) {
            return; // the stored response put in place of the upstream's 304, or a second head
        }
        long responseTime = System.currentTimeMillis();
        List<String> fields = response.fields();
        if (stale != null && validating && response.status() == 304 && !response.local()) {
            freshen(response, edits, responseTime);
            return;
        }
        if (stale != null && failed(response)
                && stale.staleAllowed("stale-if-error", cache.settings.staleIfError().toSeconds(), responseTime)) {
            // RFC 5861 §4: the origin failed; the stale copy is better than the error
            StoredResponse serve = stale;
            stale = null;
            done = true;
            replaced = true;
            stopSharing();
            shared.release();
            shared.leaderDone();
            cache.staleServed();
            edits.replaceWith(cache.answer(serve, request, responseTime, key, "fwd=stale; fwd-status="
                    + response.status() + "; ttl=" + serve.ttl(responseTime) + "; detail=stale-if-error"));
            return;
        }
        if (stale != null && request.method().equals("HEAD") && response.status() == 200 && !response.local()
                && sameRepresentation(response, stale)) {
            // §4.3.5: a HEAD answer for the stored response's representation freshens it as a 304 would
            StoredResponse fresher = stale.freshened(fields, requestTime, responseTime, cache.settings);
            fresher.position = stale.position;
            if (!cache.store.replace(stale, fresher)) {
                fresher.release();
            }
        }
        CacheControl cc = Freshness.directives(fields);
        boolean targeted = Freshness.targeted(fields);
        String why = response.local() ? "local" : !mayStore ? "request"
                : Freshness.unstorable(response.status(), fields, cc, targeted, request, cache.settings);
        long length = -1;
        String cl = response.header("Content-Length");
        if (why == null && cl != null) {
            length = CacheControl.deltaSeconds(cl.strip());
            if (length < 0 || length > cache.settings.maxObjectSize().bytes()) {
                why = "size";
            }
        }
        long lifetime = why == null ? Freshness.lifetime(response.status(), fields, cc, targeted, responseTime,
                cache.settings) : 0;
        if (why == null && lifetime == 0 && response.header("ETag") == null && response.header("Last-Modified") == null) {
            why = "stale"; // it could only ever be revalidated, and there is nothing to revalidate it with
        }
        long position = cache.positions == null ? Positions.NONE : cache.positions.of(response);
        List<String> tags = why == null ? tags(response) : List.of();
        if (why == null && !cache.store.fences.admits(tags, position)) {
            why = "fenced"; // read before a write that purged one of its tags (see Fences)
            cache.store.fenced.increment();
        }
        cache.mark(response, edits, fwd, why == null ? "; stored" + cache.keyParam(key)
                : cache.keyParam(key), requestTime);
        if (why != null) {
            done = true;
            if (registered && !why.equals("local") && !why.equals("fenced")) {
                cache.store.pass(key);
            }
            stopSharing();
            shared.release();
            return;
        }
        edits.readToEndWithoutClient();
        List<String> varyNames = Vary.names(response.headers("Vary"));
        head = new StoredResponse(key, response.status(), storedFields(fields, cc, responseTime), varyNames,
                Vary.values(varyNames, request), null, requestTime, responseTime,
                Freshness.correctedInitialAge(fields, requestTime, responseTime), lifetime, cc, tags);
        head.position = position;
        expectedLength = length;
        copying = true;
        shared.storing(head, length);
    }

    /**
     * §4.3.3 / §4.3.4: the origin says the stored response is still good: its stored head is updated
     * with the 304's fields and it answers the client in place of the 304. A 304 whose strong validator
     * names another response updates nothing, but the client still gets the stored one.
     */
    private void freshen(ResponseView notModified, ResponseEdits edits, long responseTime) {
        StoredResponse old = stale;
        stale = null;
        done = true;
        replaced = true;
        stopSharing();
        shared.release();
        shared.leaderDone();
        String etag = notModified.header("ETag");
        StoredResponse serve = old;
        if (etag == null || Validators.weakMatch(etag, old.etag)) {
            StoredResponse fresher = old.freshened(notModified.fields(), requestTime, responseTime, cache.settings);
            long at = cache.positions == null ? Positions.NONE : cache.positions.of(notModified);
            fresher.position = at == Positions.NONE ? old.position : at; // still good as of the 304's read
            if (!cache.store.replace(old, fresher)) {
                cache.store.put(fresher);
            }
            if (fresher.acquire()) {
                old.release();
                serve = fresher;
            }
        }
        edits.replaceWith(cache.answer(serve, request, responseTime, key, "fwd=" + fwd + "; fwd-status=304"
                + (serve != old ? "; stored" : "")));
    }

    /** The response's tags: {@code Surrogate-Key} (space-separated) and {@code Cache-Tag} (comma-separated). */
    static List<String> tags(ResponseView response) {
        List<String> out = new ArrayList<>(2);
        for (String line : response.headers("Surrogate-Key")) {
            for (String t : line.trim().split("\\s+")) {
                if (!t.isEmpty() && out.size() < 64) {
                    out.add(t);
                }
            }
        }
        for (String line : response.headers("Cache-Tag")) {
            for (String t : line.split(",")) {
                String s = t.strip();
                if (!s.isEmpty() && out.size() < 64) {
                    out.add(s);
                }
            }
        }
        return out.isEmpty() ? List.of() : List.copyOf(out);
    }

    /**
     * Whether a HEAD response describes the stored one (§4.3.5): a validator both have matches (ETag by
     * weak comparison, Last-Modified exactly), none they both have differs, and so does no length.
     */
    private static boolean sameRepresentation(ResponseView head, StoredResponse stored) {
        String etag = head.header("ETag");
        String lm = head.header("Last-Modified");
        boolean matched = false;
        if (etag != null || stored.etag != null) {
            if (!Validators.weakMatch(etag, stored.etag)) {
                return false;
            }
            matched = true;
        }
        if (lm != null && stored.lastModified != null) {
            if (!lm.strip().equals(stored.lastModified.strip())) {
                return false;
            }
            matched = true;
        }
        String cl = head.header("Content-Length");
        return matched && (cl == null || CacheControl.deltaSeconds(cl.strip()) == stored.length);
    }

    /** An origin that failed: a 5xx of its own, or the gateway's 502/503/504 for one down or too slow. */
    private static boolean failed(ResponseView response) {
        int s = response.status();
        return response.local() ? s == 502 || s == 503 || s == 504 : s >= 500 && s <= 599;
    }

    private List<String> storedFields(List<String> fields, CacheControl cc, long responseTime) {
        List<String> dropped = new ArrayList<>(cc.fieldNames("private"));
        dropped.addAll(Fields.members(Fields.all(fields, "connection")));
        if (cache.settings.setCookieMode() == CacheSettings.SetCookie.STRIP) {
            dropped.add("set-cookie");
        }
        if (cache.positions != null) {
            dropped.add(cache.positions.header().toLowerCase(Locale.ROOT)); // never stored for a client to see
        }
        List<String> out = new ArrayList<>(fields.size() + 2);
        boolean date = false;
        for (int i = 0; i < fields.size(); i += 2) {
            String name = fields.get(i).toLowerCase(Locale.ROOT);
            if (NOT_STORED.contains(name) || dropped.contains(name)) {
                continue;
            }
            date |= name.equals("date");
            out.add(fields.get(i));
            out.add(fields.get(i + 1));
        }
        if (!date) {
            out.add("Date");
            out.add(Freshness.formatDate(responseTime));
        }
        return out;
    }

    @Override
    public void onResponseBody(ByteBuf chunk) {
        if (!copying) {
            return;
        }
        int n = chunk.readableBytes();
        if (copied + n > cache.settings.maxObjectSize().bytes() || (expectedLength >= 0 && copied + n > expectedLength)) {
            abandon();
            return;
        }
        if (n == 0) {
            return;
        }
        ByteBuf copy = DirectMemory.copy(chunk, n);
        if (copy == null) {
            abandon(); // no memory to keep it in: the client still gets it, and the store makes room for the next
            cache.store.shed(Math.max(expectedLength, copied + n));
            return;
        }
        copied += n;
        shared.piece(copy);
    }

    @Override
    public void onResponseEnd() {
        if (!copying) {
            return;
        }
        copying = false;
        done = true;
        if (expectedLength >= 0 && copied != expectedLength) {
            stopSharing();
            shared.fail();
            shared.leaderDone();
            return;
        }
        ByteBuf body = joined(shared.pieces(), (int) copied);
        if (body == null && copied > 0) {
            cache.store.shed(copied);
            stopSharing();
            shared.fail();
            shared.leaderDone();
            return;
        }
        StoredResponse whole = new StoredResponse(key, head.status, head.fields, head.varyNames, head.varyValues,
                body, requestTime, head.responseTime, head.correctedInitialAge, head.lifetime, head.directives,
                head.tags);
        whole.position = head.position;
        cache.store.put(whole);
        shared.end();
        stopSharing();
        shared.leaderDone();
    }

    /**
     * The pieces as one buffer of their size (slices of it are what hits send), or null when empty or
     * when there is no direct memory for it.
     */
    private static ByteBuf joined(List<ByteBuf> pieces, int size) {
        if (size == 0) {
            return null;
        }
        ByteBuf one;
        try {
            one = PooledByteBufAllocator.DEFAULT.directBuffer(size, size);
        } catch (OutOfMemoryError e) {
            return null;
        }
        for (ByteBuf p : pieces) {
            one.writeBytes(p, p.readerIndex(), p.readableBytes());
        }
        return one;
    }

    @Override
    public void onComplete(ExchangeOutcome outcome) {
        if (!done || copying) {
            copying = false;
            done = true;
            stopSharing();
            shared.fail();
            shared.leaderDone();
        } else if (head == null && !replaced) {
            shared.leaderDone();
        }
        if (stale != null) {
            stale.release();
            stale = null;
        }
    }

    private void abandon() {
        copying = false;
        done = true;
        stopSharing();
        shared.release();
        shared.leaderDone();
    }

    private void stopSharing() {
        if (registered) {
            cache.store.finished(shared);
        }
    }
}
