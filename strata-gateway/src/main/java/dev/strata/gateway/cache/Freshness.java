package dev.strata.gateway.cache;

import dev.strata.gateway.filter.RequestView;
import io.netty.handler.codec.DateFormatter;
import java.util.Date;
import java.util.List;
import java.util.Set;

/**
 * RFC 9111's rules for a shared cache that depend on one response: whether it may be stored (§3, §3.5,
 * §5.2.2), its freshness lifetime (§4.2.1, §4.2.2) and its age when it arrived (§4.2.3). The directives
 * are the targeted field's when the response has one (RFC 9213: {@code Strata-Cache-Control}, then
 * {@code CDN-Cache-Control}, then {@link SurrogateControl}); then {@code Cache-Control} and
 * {@code Expires} are not used.
 */
final class Freshness {

    /** RFC 9110 §15.1: the status codes that are heuristically cacheable. */
    static final Set<Integer> HEURISTIC = Set.of(200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501);

    /** The status codes whose caching semantics this cache implements (for {@code must-understand}). */
    static final Set<Integer> UNDERSTOOD = Set.of(200, 203, 204, 300, 301, 302, 303, 307, 308, 404, 405, 410, 414,
            451, 501);

    /** The targeted fields this cache reads, the first present with a directive winning (RFC 9213 §2.1). */
    static final List<String> TARGETED = List.of("strata-cache-control", "cdn-cache-control", SurrogateControl.NAME);

    private Freshness() {}

    /** The directives this cache obeys for a response with {@code fields}; see the class comment. */
    static CacheControl directives(List<String> fields) {
        for (String name : TARGETED) {
            List<String> lines = targetedLines(fields, name);
            if (!lines.isEmpty()) {
                CacheControl cc = CacheControl.parse(lines);
                if (!cc.isEmpty()) {
                    return cc;
                }
            }
        }
        return CacheControl.parse(Fields.all(fields, "cache-control"));
    }

    static boolean targeted(List<String> fields) {
        for (String name : TARGETED) {
            if (!CacheControl.parse(targetedLines(fields, name)).isEmpty()) {
                return true;
            }
        }
        return false;
    }

    /** The lines of the targeted field {@code name}; of {@code Surrogate-Control}, those for every surrogate. */
    private static List<String> targetedLines(List<String> fields, String name) {
        List<String> lines = Fields.all(fields, name);
        return name.equals(SurrogateControl.NAME) && !lines.isEmpty() ? SurrogateControl.forThisCache(lines) : lines;
    }

    /**
     * Why a response to a GET may not be stored, or {@code null} when it may: the reason as a short word
     * for {@code Cache-Status}'s {@code detail}.
     */
    static String unstorable(int status, List<String> fields, CacheControl cc, boolean targeted, RequestView request,
                             CacheSettings settings) {
        if (status < 200 || status == 206 || status == 304) {
            return "status";
        }
        boolean understood = UNDERSTOOD.contains(status);
        boolean mustUnderstand = cc.has("must-understand");
        if (mustUnderstand && !understood) {
            return "must-understand";
        }
        if (cc.has("no-store") && !(mustUnderstand && understood)) {
            return "no-store";
        }
        if (cc.hasUnqualified("private")) {
            return "private";
        }
        if (request.header("Authorization") != null
                && !(cc.has("must-revalidate") || cc.has("public") || cc.has("s-maxage"))) {
            return "authorization";
        }
        if (Vary.names(Fields.all(fields, "vary")).contains("*")) {
            return "vary";
        }
        if (Fields.first(fields, "set-cookie") != null && settings.setCookieMode() == CacheSettings.SetCookie.PASS) {
            return "set-cookie";
        }
        boolean explicit = cc.has("public") || cc.has("max-age") || cc.has("s-maxage")
                || (!targeted && Fields.first(fields, "expires") != null) || HEURISTIC.contains(status);
        return explicit ? null : "no-freshness";
    }

    /** The freshness lifetime in seconds (§4.2.1), bounded by the route's {@code max_ttl}. */
    static long lifetime(int status, List<String> fields, CacheControl cc, boolean targeted, long responseTime,
                         CacheSettings settings) {
        long v = lifetimeUnbounded(status, fields, cc, targeted, responseTime, settings);
        if (settings.maxTtl() != null) {
            v = Math.min(v, settings.maxTtl().toSeconds());
        }
        return v;
    }

    private static long lifetimeUnbounded(int status, List<String> fields, CacheControl cc, boolean targeted,
                                          long responseTime, CacheSettings settings) {
        long v = cc.seconds("s-maxage");
        if (v == CacheControl.ABSENT) {
            v = cc.seconds("max-age");
        }
        if (v != CacheControl.ABSENT) {
            return v == CacheControl.INVALID ? 0 : v; // an invalid value makes the response stale
        }
        long date = date(fields, responseTime);
        List<String> expires = targeted ? List.of() : Fields.all(fields, "expires");
        if (!expires.isEmpty()) {
            Long e = parseDate(expires.get(0));
            return e == null ? 0 : Math.max(0, (e - date) / 1000); // an invalid Expires is in the past
        }
        if (!HEURISTIC.contains(status) && !cc.has("public")) {
            return 0;
        }
        if (settings.defaultTtl() != null) {
            return settings.defaultTtl().toSeconds();
        }
        if (settings.heuristicFraction() > 0) {
            Long lm = parseDate(Fields.first(fields, "last-modified"));
            if (lm != null && lm < date) {
                return (long) ((date - lm) / 1000 * settings.heuristicFraction());
            }
        }
        return 0;
    }

    /** §4.2.3 corrected_initial_age, in millis. */
    static long correctedInitialAge(List<String> fields, long requestTime, long responseTime) {
        long ageValue = 0;
        String age = Fields.first(fields, "age");
        if (age != null) {
            // §5.1: of a list, the first member counts (of the first line); an invalid value is ignored
            int comma = age.indexOf(',');
            long a = CacheControl.deltaSeconds((comma < 0 ? age : age.substring(0, comma)).strip());
            ageValue = a < 0 ? 0 : a * 1000;
        }
        long apparent = Math.max(0, responseTime - date(fields, responseTime));
        long delay = Math.max(0, responseTime - requestTime);
        return Math.max(apparent, ageValue + delay);
    }

    /** The response's {@code Date} in epoch millis; {@code fallback} when it has none or it is invalid. */
    static long date(List<String> fields, long fallback) {
        Long d = parseDate(Fields.first(fields, "date"));
        return d == null ? fallback : d;
    }

    static Long parseDate(String text) {
        if (text == null) {
            return null;
        }
        Date d = DateFormatter.parseHttpDate(text.strip());
        return d == null ? null : d.getTime();
    }

    static String formatDate(long millis) {
        return DateFormatter.format(new Date(millis));
    }
}
