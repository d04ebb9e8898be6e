package dev.strata.links.api;

import dev.strata.data.route.WalPosition;
import io.javalin.http.Context;

/**
 * What the links service tells the shared cache in front of it (the gateway's {@code cache} filter):
 * how long a link's answers may be kept and under which tag, which tag a change makes stale, and the data
 * position each answer was read at ({@code Strata-Data-Position}, a PostgreSQL LSN) or, for a change, written
 * at. The gateway removes the position and the invalidation from what clients get; with them it keeps no
 * answer read before a change (the purge's fence) and serves no consistency token an older stored one.
 */
final class CacheFields {

    /** The response field naming the cache tags a change invalidates. */
    static final String INVALIDATE_TAGS = "Strata-Invalidate-Tags";
    /** The response field with the data position of the answer. */
    static final String POSITION = "Strata-Data-Position";

    private final String cacheControl;

    /** @param cacheControl what a link's redirect and stats say to caches ({@code public, max-age=...}) */
    CacheFields(String cacheControl) {
        this.cacheControl = cacheControl;
    }

    /** The cache tag of everything that shows link {@code code}: its redirect and its stats. */
    static String tag(String code) {
        return "link-" + code;
    }

    /** An answer that shows link {@code code}, read at {@code position}: shared caches may keep it. */
    void shared(Context ctx, String code, WalPosition position) {
        ctx.header("Cache-Control", cacheControl);
        ctx.header("Surrogate-Key", tag(code));
        ctx.header(POSITION, position.toString());
    }

    /**
     * Tells the caches in front to drop what carries {@code code}'s tag before this answer reaches the client,
     * and to keep nothing of it read before {@code written}.
     */
    static void invalidate(Context ctx, String code, WalPosition written) {
        ctx.header(INVALIDATE_TAGS, tag(code));
        ctx.header(POSITION, written.toString());
    }
}
