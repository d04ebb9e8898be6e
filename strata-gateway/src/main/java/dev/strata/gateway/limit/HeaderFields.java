package dev.strata.gateway.limit;

import dev.strata.gateway.filter.HeaderEdits;
import java.util.List;

/**
 * The fields of draft-ietf-httpapi-ratelimit-headers: {@code RateLimit-Policy: "name";q=RATE;w=PERIOD}
 * and {@code RateLimit: "name";r=REMAINING;t=SECONDS}, where {@code t} is, for an admitted request, the
 * seconds until the key's quota is whole again, and for a refused one the seconds until the next request
 * may pass (the {@code Retry-After}).
 */
final class HeaderFields {

    private HeaderFields() {}

    static String policy(Limit limit) {
        return "\"" + limit.name() + "\";q=" + limit.rate() + ";w=" + limit.periodSeconds();
    }

    static String state(Limit limit, Decision d) {
        return "\"" + limit.name() + "\";r=" + d.remaining() + ";t=" + seconds(d.resetNanos());
    }

    static void set(HeaderEdits edits, Limit limit, Decision d) {
        edits.set("RateLimit-Policy", policy(limit));
        edits.set("RateLimit", state(limit, d));
    }

    static void add(List<String> fields, Limit limit, Decision d) {
        fields.add("RateLimit-Policy");
        fields.add(policy(limit));
        fields.add("RateLimit");
        fields.add(state(limit, d));
    }

    /** Whole seconds, rounded up: waiting that long is always enough. */
    static long seconds(long nanos) {
        return nanos <= 0 ? 0 : (nanos - 1) / 1_000_000_000L + 1;
    }
}
