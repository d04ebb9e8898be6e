package dev.strata.gateway.cache;

import dev.strata.gateway.filter.ExchangeOutcome;
import dev.strata.gateway.filter.RequestView;
import dev.strata.gateway.filter.ResponseEdits;
import dev.strata.gateway.filter.ResponseObserver;
import dev.strata.gateway.filter.ResponseView;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * One miss on its way back from the upstream: marks the response, and when it may be stored copies its
 * body as it streams to the client and stores it at its end.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li>The copy lives in pooled direct buffers, never on the heap. A body with a length larger than
 *   {@code max_object_size} is not copied at all; one without a length is copied while it streams and
 *   let go the moment it grows past the limit: memory per fill is bounded by the limit.</li>
 *   <li>A storable response is read to its end even if the client goes away
 *   ({@link ResponseEdits#readToEndWithoutClient}), so the next client finds it stored.</li>
 *   <li>Only a complete body is stored: the copy is stored at the upstream's end, and released by
 *   {@link #onComplete} when no end came.</li>
 * </ul>
 * Confined to the request's event loop.
 */
final class Fill implements ResponseObserver {

    /** Fields never stored: the framing and hop-by-hop ones, and {@code Age} (recomputed on every hit). */
    static final Set<String> NOT_STORED = Set.of("connection", "keep-alive", "proxy-connection", "te",
            "trailer", "transfer-encoding", "upgrade", "content-length", "age", "cache-status", "x-served-by");

    private final CacheFilter cache;
    private final RequestView request;
    private final String key;
    private final String fwd;
    private final long requestTime;
    private final boolean mayStore;
    private StoredResponse validating; // held while the origin is asked about it; null when none
    private boolean replaced;

    // the copy under way
    private ResponseView head;
    private List<String> storedFields;
    private CacheControl directives;
    private List<String> varyNames;
    private List<String> varyValues;
    private long responseTime;
    private long expectedLength = -1;
    private ByteBuf body;
    private boolean done;

    Fill(CacheFilter cache, RequestView request, String key, String fwd, long requestTime, boolean mayStore,
         StoredResponse validating) {
        this.validating = validating;
        this.cache = cache;
        this.request = request;
        this.key = key;
        this.fwd = fwd;
        this.requestTime = requestTime;
        this.mayStore = mayStore;
    }

    @Override
    public void onResponseHead(ResponseView response, ResponseEdits edits) {
        if (replaced) {
            return; // the stored response put in place of the upstream's 304
        }
        responseTime = System.currentTimeMillis();
        List<String> fields = response.fields();
        if (validating != null && response.status() == 304 && !response.local()) {
            freshen(response, edits);
            return;
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
        CacheFilter.markForwarded(response, edits, fwd, why == null ? "; stored" + cache.keyParam(key)
                : cache.keyParam(key), requestTime);
        if (why != null) {
            done = true;
            return;
        }
        edits.readToEndWithoutClient();
        head = response.copy();
        directives = cc;
        varyNames = Vary.names(response.headers("Vary"));
        varyValues = Vary.values(varyNames, request);
        storedFields = storedFields(fields, cc);
        expectedLength = length;
        if (length > 0) {
            body = PooledByteBufAllocator.DEFAULT.directBuffer((int) length, (int) length);
        } else if (length < 0) {
            body = PooledByteBufAllocator.DEFAULT.compositeDirectBuffer(Integer.MAX_VALUE);
        }
    }

    /**
     * §4.3.3 / §4.3.4: the origin says the stored response is still good: its stored head is updated
     * with the 304's fields and it answers the client in place of the 304. A 304 whose strong validator
     * names another response updates nothing, but the client still gets the stored one.
     */
    private void freshen(ResponseView notModified, ResponseEdits edits) {
        StoredResponse old = validating;
        validating = null;
        done = true;
        replaced = true;
        String etag = notModified.header("ETag");
        StoredResponse serve = old;
        if (etag == null || Validators.weakMatch(etag, old.etag)) {
            StoredResponse fresher = old.freshened(notModified.fields(), requestTime, responseTime, cache.settings);
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

    private List<String> storedFields(List<String> fields, CacheControl cc) {
        List<String> dropped = new ArrayList<>(cc.fieldNames("private"));
        dropped.addAll(Fields.members(Fields.all(fields, "connection")));
        if (cache.settings.setCookieMode() == CacheSettings.SetCookie.STRIP) {
            dropped.add("set-cookie");
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
        if (done || head == null) {
            return;
        }
        int n = chunk.readableBytes();
        if (body == null || (long) body.readableBytes() + n > cache.settings.maxObjectSize().bytes()
                || (expectedLength >= 0 && body.readableBytes() + n > expectedLength)) {
            abandon();
            return;
        }
        if (body instanceof CompositeByteBuf c) {
            ByteBuf copy = PooledByteBufAllocator.DEFAULT.directBuffer(n, n);
            copy.writeBytes(chunk, chunk.readerIndex(), n);
            c.addComponent(true, copy);
        } else {
            body.writeBytes(chunk, chunk.readerIndex(), n);
        }
    }

    @Override
    public void onResponseEnd() {
        if (done || head == null) {
            return;
        }
        done = true;
        int got = body == null ? 0 : body.readableBytes();
        if (expectedLength >= 0 && got != expectedLength) {
            release();
            return;
        }
        ByteBuf stored = body;
        body = null;
        if (stored instanceof CompositeByteBuf c && c.numComponents() != 1) {
            stored = compact(c);
        }
        if (stored != null && stored.readableBytes() == 0) {
            stored.release();
            stored = null;
        }
        List<String> fields = head.fields();
        cache.store.put(new StoredResponse(key, head.status(), storedFields, varyNames, varyValues, stored,
                requestTime, responseTime, Freshness.correctedInitialAge(fields, requestTime, responseTime),
                Freshness.lifetime(head.status(), fields, directives, Freshness.targeted(fields), responseTime,
                        cache.settings),
                directives, List.of()));
    }

    /** A body copied piece by piece, as one buffer of its size (slices of it are what hits send). */
    private static ByteBuf compact(CompositeByteBuf c) {
        int n = c.readableBytes();
        if (n == 0) {
            c.release();
            return null;
        }
        ByteBuf one = PooledByteBufAllocator.DEFAULT.directBuffer(n, n);
        one.writeBytes(c);
        c.release();
        return one;
    }

    @Override
    public void onComplete(ExchangeOutcome outcome) {
        done = true;
        release();
        if (validating != null) {
            validating.release();
            validating = null;
        }
    }

    private void abandon() {
        done = true;
        release();
    }

    private void release() {
        if (body != null) {
            body.release();
            body = null;
        }
    }
}
