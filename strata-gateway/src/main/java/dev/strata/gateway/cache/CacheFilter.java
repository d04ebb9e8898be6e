package dev.strata.gateway.cache;

import dev.strata.gateway.filter.FilterContext;
import dev.strata.gateway.filter.HttpFilter;
import dev.strata.gateway.filter.LocalResponse;
import dev.strata.gateway.filter.Loopback;
import dev.strata.gateway.filter.RequestView;
import dev.strata.gateway.filter.ResponseEdits;
import dev.strata.gateway.filter.ResponseObserver;
import dev.strata.gateway.filter.ResponseView;
import dev.strata.gateway.filter.Suspension;
import dev.strata.gateway.filter.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The {@code cache} filter of one route: answers a request from the store when RFC 9111 lets it, and
 * otherwise lets it go upstream with a {@link Fill} that stores what comes back. Every response that
 * passes it carries {@code Cache-Status} (RFC 9211) and {@code Age}.
 *
 * <p>Shared by the route's requests on every event loop; it keeps nothing per request itself (the
 * store is thread-safe, a fill is the request's own).
 */
final class CacheFilter implements HttpFilter {

    static final String NAME = "Strata";
    /** A response field by which the origin names the cache tags an unsafe request made stale. */
    static final String INVALIDATE_TAGS = "Strata-Invalidate-Tags";

    final CacheSettings settings;
    final Store store;
    final Positions positions; // null: the route has none
    final Stores stores;
    private final Loopback loopback;

    CacheFilter(CacheSettings settings, Store store, Loopback loopback, Stores stores) {
        this.settings = settings;
        this.store = store;
        this.loopback = loopback;
        this.stores = stores;
        this.positions = Positions.of(settings);
    }

    /** A stale response was served (stale-while-revalidate or stale-if-error). */
    void staleServed() {
        store.staleServed.increment();
    }

    /**
     * Asks for {@code r}'s key again through the gateway, with {@code no-cache} so that this filter
     * validates it upstream and stores the answer; one at a time per key. The request carries the
     * fields {@code r}'s Vary names, so the same variant is refreshed.
     */
    private void revalidateInBackground(StoredResponse r, RequestView request, String key) {
        if (!store.startRevalidation(key)) {
            return;
        }
        List<String> fields = new ArrayList<>(4 + r.varyNames.size() * 2);
        fields.add("Cache-Control");
        fields.add("no-cache");
        for (String name : r.varyNames) {
            for (String v : request.headers(name)) {
                fields.add(name);
                fields.add(v);
            }
        }
        String target = request.query() == null ? request.path() : request.path() + "?" + request.query();
        try {
            loopback.get(request.host(), target, fields).whenComplete((status, e) -> store.endRevalidation(key));
        } catch (IllegalArgumentException e) {
            store.endRevalidation(key);
        }
    }

    @Override
    public Verdict onRequest(FilterContext context) {
        RequestView request = context.request();
        if (!settings.enabled()) {
            return forwardedAs(context, "bypass");
        }
        // Edge Architecture 1.0: tells the origin which Surrogate-Control directives are for this cache
        context.upstreamHeaders().add("Surrogate-Capability", SurrogateControl.CAPABILITY);
        String method = request.method();
        boolean head = method.equals("HEAD");
        if (!head && !method.equals("GET")) {
            if (!safe(method)) {
                context.observe(new Invalidation(this, key(request), request));
                store.missed("method");
            }
            return forwardedAs(context, "method");
        }
        long now = System.currentTimeMillis();
        CacheControl asked = CacheControl.parse(request.headers("Cache-Control"));
        boolean noCache = asked.has("no-cache") || (asked.isEmpty() && CacheControl.pragmaNoCache(request.headers("Pragma")));
        String key = key(request);
        Store.Found found = store.lookup(key, request);
        StoredResponse r = found.response();
        long wanted = positions == null ? Positions.NONE : positions.requested(request);
        if (r != null && r.position < wanted) {
            r.release(); // the request's token names a later write than the stored response saw
            r = null;
            noCache = true;
        }
        if (r != null && !noCache && usable(r, asked, now)) {
            context.logField("cache", "hit");
            store.hits.increment();
            return Verdict.respond(answer(r, request, now, key, "hit; ttl=" + r.ttl(now)));
        }
        if (asked.has("only-if-cached")) {
            if (r != null) {
                r.release();
            }
            context.logField("cache", "miss");
            LocalResponse p = LocalResponse.problem(504, "no stored response satisfies only-if-cached", null, null);
            List<String> fields = new ArrayList<>(p.fields());
            fields.add("Cache-Status");
            fields.add(NAME + "; fwd=miss; detail=only-if-cached");
            fields.add("Age");
            fields.add("0");
            return Verdict.respond(new LocalResponse(504, fields, p.body(), null));
        }
        String fwd = noCache ? "request" : r != null ? "stale" : found.keyKnown() ? "vary-miss" : "uri-miss";
        context.logField("cache", fwd.equals("request") ? "bypass" : "miss");
        store.missed(fwd);
        boolean mayStore = !asked.has("no-store");
        if (r != null && !noCache && !r.fresh(now) && !asked.has("max-age") && !asked.has("min-fresh")
                && r.staleAllowed("stale-while-revalidate",
                settings.staleWhileRevalidate().toSeconds(), now)) {
            // RFC 5861 §3: serve it now, and have it revalidated in the background
            revalidateInBackground(r, request, key);
            context.logField("cache", "stale");
            staleServed();
            return Verdict.respond(answer(r, request, now, key, "hit; ttl=" + r.ttl(now)
                    + "; detail=stale-while-revalidate"));
        }
        if (r != null) {
            boolean validate = (r.etag != null || r.lastModified != null) && !Validators.conditional(request);
            if (validate) {
                // §4.3.1: ask the origin whether the stored response is still good; a 304 serves it
                if (r.etag != null) {
                    context.upstreamHeaders().set("If-None-Match", r.etag);
                }
                if (r.lastModified != null) {
                    context.upstreamHeaders().set("If-Modified-Since", r.lastModified);
                }
            }
            // the stale copy is kept at hand for stale-if-error
            context.observe(new Fill(this, request, key, fwd, now, mayStore && !head, r, validate,
                    new InFlight(this, key, 0), false));
            return Verdict.CONTINUE;
        }
        if (head) {
            context.observe(new Passing(fwd, key));
            return Verdict.CONTINUE;
        }
        if (!mayStore || settings.coalesceWaiters() == 0 || Validators.conditional(request) || store.passing(key)
                || wanted != Positions.NONE) { // a fetch under way may have been read before the token's write
            context.observe(new Fill(this, request, key, fwd, now, mayStore, null, false, new InFlight(this, key, 0), false));
            return Verdict.CONTINUE;
        }
        InFlight mine = new InFlight(this, key, settings.coalesceWaiters());
        InFlight fetching = store.fetching(key, mine);
        if (fetching == null) {
            context.observe(new Fill(this, request, key, fwd, now, true, null, false, mine, true));
            return Verdict.CONTINUE;
        }
        // §4 request collapsing: wait for the fetch under way; if it cannot serve, go upstream
        Suspension wait = context.suspend(settings.coalesceTimeout(), Verdict.CONTINUE);
        store.coalesced.increment();
        context.observe(new Passing(fwd, key));
        if (!fetching.join(new InFlight.Waiter(wait, request, now))) {
            wait.resume(Verdict.CONTINUE);
        }
        return wait.verdict();
    }

    /** The response another request is fetching, as the answer to a request that waited for it. */
    LocalResponse collapsed(StoredResponse head, RequestView request, InFlight.Reader body, long length) {
        long now = System.currentTimeMillis();
        List<String> fields = new ArrayList<>(head.fields.size() + 4);
        fields.addAll(head.fields);
        fields.add("Age");
        fields.add(Long.toString(head.age(now)));
        fields.add("Cache-Status");
        fields.add(NAME + "; fwd=uri-miss; fwd-status=" + head.status + "; collapsed" + keyParam(head.key));
        if (length == 0) {
            body.close();
            return new LocalResponse(head.status, fields, null, null);
        }
        return new LocalResponse(head.status, fields, null, body);
    }

    /** Whether {@code r} may answer a request with directives {@code asked} without the origin (§4.2, §5.2.1). */
    static boolean usable(StoredResponse r, CacheControl asked, long now) {
        CacheControl cc = r.directives;
        if (cc.hasUnqualified("no-cache")) {
            return false;
        }
        long age = r.age(now);
        long maxAge = asked.seconds("max-age");
        if (maxAge >= 0 && age > maxAge) {
            return false;
        }
        long minFresh = asked.seconds("min-fresh");
        if (minFresh >= 0 && r.ttl(now) < minFresh) {
            return false;
        }
        if (r.fresh(now)) {
            return true;
        }
        if (!asked.has("max-stale") || cc.has("must-revalidate") || cc.has("proxy-revalidate") || cc.has("s-maxage")) {
            return false;
        }
        if (asked.hasUnqualified("max-stale")) {
            return true; // any staleness
        }
        long maxStale = asked.seconds("max-stale");
        return maxStale >= 0 && -r.ttl(now) <= maxStale;
    }

    /**
     * The stored response {@code r} (held; this takes the hold over) as the answer to {@code request}:
     * a 304 when the request's own conditionals say the client has it (§4.3.2), else its head with
     * {@code Age} and {@code Cache-Status: Strata; <status>} and its body streamed.
     */
    LocalResponse answer(StoredResponse r, RequestView request, long now, String key, String status) {
        List<String> strip = r.directives.fieldNames("no-cache");
        boolean notModified = Validators.notModified(request, r);
        List<String> fields = new ArrayList<>(r.fields.size() + 4);
        for (int i = 0; i < r.fields.size(); i += 2) {
            String name = r.fields.get(i).toLowerCase(Locale.ROOT);
            if (!strip.isEmpty() && strip.contains(name) || notModified && !IN_304.contains(name)) {
                continue;
            }
            fields.add(r.fields.get(i));
            fields.add(r.fields.get(i + 1));
        }
        fields.add("Age");
        fields.add(Long.toString(r.age(now)));
        fields.add("Cache-Status");
        fields.add(NAME + "; " + status + keyParam(key));
        if (settings.stripTargeted()) {
            stripTargeted(fields);
        }
        if (notModified || r.length == 0) {
            r.release();
            return new LocalResponse(notModified ? 304 : r.status, fields, null, null);
        }
        String range = r.status == 200 && request.method().equals("GET") ? request.header("Range") : null;
        if (range != null && ifRangeHolds(request.header("If-Range"), r)) {
            long[] span = Ranges.single(range, r.length);
            if (span == Ranges.UNSATISFIABLE) {
                r.release();
                fields.add("Content-Range");
                fields.add("bytes */" + r.length);
                LocalResponse p = LocalResponse.problem(416, "the range is outside the " + r.length + " bytes", null, null);
                fields.addAll(p.fields());
                return new LocalResponse(416, withoutContentType(fields, p), p.body(), null);
            }
            if (span != null) {
                // RFC 9110 §14: one range of the stored full response
                fields.add("Content-Range");
                fields.add("bytes " + span[0] + "-" + span[1] + "/" + r.length);
                return new LocalResponse(206, fields, null, new StoredBody(r, (int) span[0], (int) span[1] + 1));
            }
        }
        return new LocalResponse(r.status, fields, null, new StoredBody(r, 0, r.length));
    }

    /** The stored fields but the representation's Content-Type, Cache-Control and ETag: the problem's instead. */
    private static List<String> withoutContentType(List<String> fields, LocalResponse problem) {
        List<String> out = new ArrayList<>(fields.size());
        int problemStart = fields.size() - problem.fields().size();
        for (int i = 0; i < fields.size(); i += 2) {
            String n = fields.get(i).toLowerCase(Locale.ROOT);
            if (i < problemStart && (n.equals("content-type") || n.equals("cache-control") || n.equals("etag")
                    || n.equals("last-modified") || n.equals("content-encoding"))) {
                continue;
            }
            out.add(fields.get(i));
            out.add(fields.get(i + 1));
        }
        return out;
    }

    /** RFC 9110 §13.1.5: If-Range with a strong ETag or the exact Last-Modified lets the range apply. */
    private static boolean ifRangeHolds(String ifRange, StoredResponse r) {
        if (ifRange == null) {
            return true;
        }
        String v = ifRange.strip();
        if (v.startsWith("\"") || v.startsWith("W/")) {
            return Validators.strongMatch(v, r.etag);
        }
        return r.lastModified != null && v.equals(r.lastModified.strip());
    }

    static void stripTargeted(List<String> fields) {
        for (int i = fields.size() - 2; i >= 0; i -= 2) {
            String n = fields.get(i).toLowerCase(Locale.ROOT);
            if (Freshness.TARGETED.contains(n)) {
                fields.remove(i + 1);
                fields.remove(i);
            }
        }
    }

    /** RFC 9110 §15.4.5: the fields a 304 carries of the response it stands for. */
    private static final java.util.Set<String> IN_304 = java.util.Set.of("cache-control", "content-location", "date",
            "etag", "expires", "vary", "last-modified", "cdn-cache-control", "strata-cache-control");

    String keyParam(String key) {
        return settings.debug() ? "; key=\"" + key.replace("\\", "\\\\").replace("\"", "\\\"") + "\"" : "";
    }

    private Verdict forwardedAs(FilterContext context, String fwd) {
        context.logField("cache", "bypass");
        store.missed(fwd);
        context.observe(new Passing(fwd, null));
        return Verdict.CONTINUE;
    }

    /** The primary key (§4): scheme, host and target, as the route's {@code key} settings shape it. */
    String key(RequestView request) {
        return key(request.host(), request.path(), request.query(), request);
    }

    String key(String host, String path, String query, RequestView request) {
        CacheSettings.Key k = settings.key();
        StringBuilder sb = new StringBuilder(32 + path.length() + (query == null ? 0 : query.length() + 1))
                .append("http://");
        if (k.host()) {
            sb.append(host == null ? "" : host.toLowerCase(Locale.ROOT));
        }
        sb.append(path);
        if (query != null && k.query() == null) {
            sb.append('?').append(query);
        } else if (query != null && !k.query().isEmpty()) {
            List<String> kept = new ArrayList<>();
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                if (k.query().contains(eq < 0 ? pair : pair.substring(0, eq))) {
                    kept.add(pair);
                }
            }
            if (!kept.isEmpty()) {
                java.util.Collections.sort(kept);
                sb.append('?').append(String.join("&", kept));
            }
        }
        for (String h : k.headers()) {
            sb.append('\n').append(h).append(':').append(String.join(",", request.headers(h)));
        }
        return sb.toString();
    }

    static boolean safe(String method) {
        return method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS") || method.equals("TRACE");
    }

    /** {@code Cache-Status} and {@code Age} for a response the cache forwarded without storing. */
    static void markForwarded(ResponseView response, ResponseEdits edits, String fwd, String extra, long requestTime) {
        long now = System.currentTimeMillis();
        List<String> fields = response.fields();
        edits.headers().set("Age", Long.toString(Freshness.correctedInitialAge(fields, requestTime, now) / 1000));
        edits.headers().add("Cache-Status", NAME + "; fwd=" + fwd + "; fwd-status=" + response.status() + extra);
        edits.headers().remove("Surrogate-Key").remove("Cache-Tag").remove(INVALIDATE_TAGS);
    }

    /** As {@link #markForwarded}, and RFC 9213's targeted fields removed when the route says so. */
    void mark(ResponseView response, ResponseEdits edits, String fwd, String extra, long requestTime) {
        markForwarded(response, edits, fwd, extra, requestTime);
        if (positions != null) {
            positions.strip(edits.headers());
        }
        if (settings.stripTargeted()) {
            edits.headers().remove("CDN-Cache-Control").remove("Strata-Cache-Control").remove("Surrogate-Control");
        }
    }

    /** The response to a request the cache does not store: only marked. */
    private final class Passing implements ResponseObserver {
        private final String fwd;
        private final String key;
        private final long requestTime = System.currentTimeMillis();

        Passing(String fwd, String key) {
            this.fwd = fwd;
            this.key = key;
        }

        @Override
        public void onResponseHead(ResponseView response, ResponseEdits edits) {
            if (response.local() && response.header("Cache-Status") != null) {
                return; // the cache's own answer (a waiter's), already marked
            }
            mark(response, edits, fwd, key == null ? "" : keyParam(key), requestTime);
        }
    }
}
