package dev.strata.gateway.cache;

import dev.strata.gateway.filter.RequestView;
import dev.strata.gateway.filter.ResponseEdits;
import dev.strata.gateway.filter.ResponseHold;
import dev.strata.gateway.filter.ResponseObserver;
import dev.strata.gateway.filter.ResponseView;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * §4.4: an unsafe request that succeeded (2xx, 3xx) invalidates its target and the {@code Location} and
 * {@code Content-Location} of its response when they are on the same host; and the tags its origin names
 * in {@code Strata-Invalidate-Tags} are purged in every store.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Before the client hears back.</b> The tags are purged here at once. With a cluster, the answer
 *   is held at its head ({@link ResponseEdits#hold}) until every live gateway acknowledged the purge, so
 *   that once the client has the answer no gateway serves what it made stale. The wait is bounded by the
 *   route's {@code invalidation_timeout}: then, or when Redis cannot be reached, the answer goes anyway,
 *   and the purge is counted ({@code strata_cache_invalidations_unacknowledged_total}) and logged.</li>
 *   <li><b>With positions</b> (the route's {@code positions}), the answer's position field is the position
 *   of the write: the purge carries it, so every store that has it fences the tags (see {@link Fences}).</li>
 * </ul>
 */
final class Invalidation implements ResponseObserver {

    /** At most this many tags of one answer are purged. */
    static final int MAX_TAGS = 64;

    private final CacheFilter cache;
    private final String key;
    private final RequestView request;
    private final String host;

    Invalidation(CacheFilter cache, String key, RequestView request) {
        this.cache = cache;
        this.key = key;
        this.request = request;
        this.host = request.host() == null ? "" : request.host().toLowerCase(Locale.ROOT);
    }

    @Override
    public void onResponseHead(ResponseView response, ResponseEdits edits) {
        if (response.local() || response.status() < 200 || response.status() >= 400) {
            return;
        }
        cache.store.remove(key);
        List<String> tags = new ArrayList<>();
        for (String line : response.headers(CacheFilter.INVALIDATE_TAGS)) {
            for (String t : line.split("[,\\s]+")) {
                if (!t.isEmpty() && tags.size() < MAX_TAGS) {
                    tags.add(t);
                }
            }
        }
        if (!tags.isEmpty() && cache.stores != null) {
            long position = cache.positions == null ? Positions.NONE : cache.positions.of(response);
            PurgeRequest purge = new PurgeRequest(List.of(), tags, null, false,
                    position == Positions.NONE ? null : Positions.format(position));
            Duration timeout = cache.settings.invalidationTimeout();
            var acknowledged = cache.stores.applyEverywhere(purge, timeout);
            if (acknowledged != null) {
                // the broadcast ends by its timeout; the hold's own bound is a second line
                ResponseHold hold = edits.hold(timeout.plusSeconds(1));
                acknowledged.whenComplete((v, e) -> hold.release());
            }
        }
        for (String name : List.of("location", "content-location")) {
            String target = response.header(name);
            String k = target == null ? null : sameOriginKey(target);
            if (k != null) {
                cache.store.remove(k);
            }
        }
    }

    private String sameOriginKey(String target) {
        try {
            URI base = URI.create("http://" + host + request.path());
            URI u = base.resolve(target.strip());
            if (u.getHost() == null || !(u.getRawAuthority().toLowerCase(Locale.ROOT)).equals(host)
                    || !"http".equalsIgnoreCase(u.getScheme()) && !"https".equalsIgnoreCase(u.getScheme())) {
                return null;
            }
            String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
            return cache.key(host, path, u.getRawQuery(), request);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
