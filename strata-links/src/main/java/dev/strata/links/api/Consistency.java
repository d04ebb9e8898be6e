package dev.strata.links.api;

import dev.strata.data.route.ConsistencyTokens;
import dev.strata.data.route.WalPosition;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Optional;

/**
 * Carries read-your-writes between a client and any links node: a write hands the client a
 * consistency token (the WAL position of its commit, signed) as the {@code Strata-Consistency}
 * response header and as a cookie of the same name; a request that brings it back, as that header
 * or that cookie, reads data at least as fresh. A token that does not verify is ignored.
 */
final class Consistency {

    static final String HEADER = "Strata-Consistency";
    static final String COOKIE = "strata_consistency";

    private final ConsistencyTokens tokens;
    private final Duration ttl;

    Consistency(ConsistencyTokens tokens, Duration ttl) {
        this.tokens = tokens;
        this.ttl = ttl;
    }

    /** The position the request asks for, or {@code null} (no token, or one that does not verify). */
    WalPosition requested(Context ctx) {
        String header = ctx.header(HEADER);
        Optional<WalPosition> fromHeader = header == null ? Optional.empty() : tokens.verify(header.strip());
        if (fromHeader.isPresent()) {
            return fromHeader.get();
        }
        String cookie = ctx.cookie(COOKIE);
        return cookie == null ? null : tokens.verify(cookie).orElse(null);
    }

    /** Hands the client a token for {@code position}. */
    void issue(Context ctx, WalPosition position) {
        String token = tokens.issue(position);
        ctx.header(HEADER, token);
        ctx.res().addHeader("Set-Cookie", COOKIE + "=" + token + "; Max-Age=" + ttl.toSeconds()
                + "; Path=/; HttpOnly; SameSite=Lax");
    }
}
