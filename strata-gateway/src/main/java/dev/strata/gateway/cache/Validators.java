package dev.strata.gateway.cache;

import dev.strata.gateway.filter.RequestView;
import java.util.List;

/** Entity tags and dates as RFC 9110 §8.8 and §13 compare them. */
final class Validators {

    private Validators() {}

    /** Weak comparison (§8.8.3.2): the opaque tags are equal, whether either is weak or not. */
    static boolean weakMatch(String a, String b) {
        return a != null && b != null && opaque(a).equals(opaque(b));
    }

    /** Strong comparison: both strong and equal. */
    static boolean strongMatch(String a, String b) {
        return a != null && b != null && !a.strip().startsWith("W/") && !b.strip().startsWith("W/")
                && a.strip().equals(b.strip());
    }

    private static String opaque(String tag) {
        String t = tag.strip();
        return t.startsWith("W/") ? t.substring(2) : t;
    }

    /** Whether an {@code If-None-Match} list names {@code etag} ({@code *} names any), weakly compared. */
    static boolean noneMatchHits(List<String> lines, String etag) {
        if (etag == null) {
            return false;
        }
        for (String line : lines) {
            for (String member : line.split(",")) {
                String m = member.strip();
                if (m.equals("*") || weakMatch(m, etag)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether the client's own conditional request is answered 304 by {@code r} (RFC 9110 §13.2.2, §4.3.2). */
    static boolean notModified(RequestView request, StoredResponse r) {
        List<String> inm = request.headers("If-None-Match");
        if (!inm.isEmpty()) {
            return noneMatchHits(inm, r.etag);
        }
        Long since = Freshness.parseDate(request.header("If-Modified-Since"));
        if (since == null) {
            return false;
        }
        Long modified = Freshness.parseDate(r.lastModified != null ? r.lastModified : Fields.first(r.fields, "date"));
        return modified != null && modified <= since;
    }

    /** Whether the client sent conditionals of its own. */
    static boolean conditional(RequestView request) {
        return request.header("If-None-Match") != null || request.header("If-Modified-Since") != null
                || request.header("If-Match") != null || request.header("If-Unmodified-Since") != null
                || request.header("If-Range") != null || request.header("Range") != null;
    }
}
