package dev.strata.gateway.cache;

import dev.strata.gateway.filter.HeaderEdits;
import dev.strata.gateway.filter.RequestView;
import dev.strata.gateway.filter.ResponseView;
import dev.strata.gateway.key.RequestKey;
import java.util.List;

/**
 * The data positions of one route's {@code cache.positions}: what position a response was read at, and
 * what position a request's consistency token asks for. A position is a PostgreSQL LSN
 * ({@code 16/B374D848}: the high and low 32 bits in hexadecimal), compared as a number.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Tokens are read, not verified.</b> The gateway does not hold the origin's secret, so it cannot
 *   check a token's MAC. It reads the position out of {@code 1.<16 hex digits>.<expiry>.<mac>} and the
 *   expiry (an expired token asks for nothing, as the origin ignores it too). A forged token only costs its
 *   sender a miss: the origin verifies it before it honours it.</li>
 *   <li><b>Unknown is old.</b> A response without a readable position is older than any token and any
 *   fence; one without the field on a route that has no fences for its tags is stored as usual.</li>
 *   <li><b>Every input is bounded</b>: a field or token longer than {@link #MAX_LENGTH} is no position.</li>
 * </ul>
 */
final class Positions {

    /** No position: older than every position. */
    static final long NONE = -1;
    static final int MAX_LENGTH = 128;

    private final String header;
    private final List<RequestKey> token;

    Positions(CacheSettings.Positions settings) {
        this.header = settings.header();
        this.token = settings.token().stream().map(RequestKey::parse).toList();
    }

    /** The route's positions, or {@code null} when it has none configured. */
    static Positions of(CacheSettings settings) {
        return settings.positions() == null ? null : new Positions(settings.positions());
    }

    /** The position {@code response} says it was read at (or its change was written at), or {@link #NONE}. */
    long of(ResponseView response) {
        return parse(response.header(header));
    }

    /** Removes the position field from what the client gets. */
    void strip(HeaderEdits edits) {
        edits.remove(header);
    }

    String header() {
        return header;
    }

    /** The position the request's consistency token asks for, or {@link #NONE}. */
    long requested(RequestView request) {
        for (RequestKey k : token) {
            long p = tokenPosition(k.of(request), System.currentTimeMillis() / 1000);
            if (p != NONE) {
                return p;
            }
        }
        return NONE;
    }

    /** The position in a token {@code 1.<16 hex>.<expiry>.<mac>} that has not expired at {@code nowSeconds}. */
    static long tokenPosition(String token, long nowSeconds) {
        if (token == null || token.length() > MAX_LENGTH) {
            return NONE;
        }
        String t = token.strip();
        int a = t.indexOf('.');
        int b = a < 0 ? -1 : t.indexOf('.', a + 1);
        int c = b < 0 ? -1 : t.indexOf('.', b + 1);
        if (c < 0 || !t.substring(0, a).equals("1") || b - a - 1 != 16 || c - b - 1 < 1 || c - b - 1 > 12) {
            return NONE;
        }
        long position = hex(t, a + 1, b);
        long expiry = 0;
        for (int i = b + 1; i < c; i++) {
            char ch = t.charAt(i);
            if (ch < '0' || ch > '9') {
                return NONE;
            }
            expiry = expiry * 10 + (ch - '0');
        }
        return expiry <= nowSeconds ? NONE : position;
    }

    /** {@code HIGH/LOW} (1 to 8 hex digits each) as a number, or {@link #NONE}. */
    static long parse(String lsn) {
        if (lsn == null || lsn.length() > MAX_LENGTH) {
            return NONE;
        }
        String s = lsn.strip();
        int slash = s.indexOf('/');
        if (slash < 1 || slash > 8 || s.length() - slash - 1 < 1 || s.length() - slash - 1 > 8) {
            return NONE;
        }
        long high = hex(s, 0, slash);
        long low = hex(s, slash + 1, s.length());
        if (high == NONE || low == NONE || high > 0x7FFFFFFFL) {
            return NONE;
        }
        return high << 32 | low;
    }

    /** {@code position} as PostgreSQL writes an LSN. */
    static String format(long position) {
        return Long.toHexString(position >>> 32).toUpperCase(java.util.Locale.ROOT) + "/"
                + Long.toHexString(position & 0xFFFFFFFFL).toUpperCase(java.util.Locale.ROOT);
    }

    /** The hex digits {@code s[from, to)} as a number below 2^63, or {@link #NONE}. */
    private static long hex(String s, int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            char ch = s.charAt(i);
            int d = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                    : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
            if (d < 0 || (v >>> 59) != 0) {
                return NONE;
            }
            v = v << 4 | d;
        }
        return from == to ? NONE : v;
    }
}
