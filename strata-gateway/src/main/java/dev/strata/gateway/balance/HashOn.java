package dev.strata.gateway.balance;

import java.util.Objects;
import java.util.function.Function;

/**
 * Where a request's {@code consistent-hash} key comes from, as written in {@code hash_on}:
 * {@code header:NAME}, {@code cookie:NAME} or {@code path}.
 *
 * @param kind what holds the key
 * @param name the header or cookie name; {@code null} for {@link Kind#PATH}
 */
public record HashOn(Kind kind, String name) {

    public enum Kind { HEADER, COOKIE, PATH }

    public HashOn {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.PATH ? name != null : !isToken(name)) {
            throw new IllegalArgumentException(String.format(
                    "name: %s (expected: %s)", name, kind == Kind.PATH ? "none for path" : "an HTTP token"));
        }
    }

    /** Parses a {@code hash_on} value. */
    public static HashOn parse(String hashOn) {
        if ("path".equals(hashOn)) {
            return new HashOn(Kind.PATH, null);
        }
        if (hashOn != null) {
            if (hashOn.startsWith("header:") && isToken(hashOn.substring(7))) {
                return new HashOn(Kind.HEADER, hashOn.substring(7));
            }
            if (hashOn.startsWith("cookie:") && isToken(hashOn.substring(7))) {
                return new HashOn(Kind.COOKIE, hashOn.substring(7));
            }
        }
        throw new IllegalArgumentException(String.format(
                "hashOn: %s (expected: header:NAME, cookie:NAME or path)", hashOn));
    }

    /**
     * The key of one request, or {@code null} when the request carries none (the balancer then
     * spreads it freely).
     *
     * @param path         the request target; a query string is not part of the key
     * @param headerLookup a header's value by case-insensitive name, {@code null} when absent; for
     *                     cookies it must return all {@code Cookie} fields joined by {@code "; "}
     *                     (HTTP/2 may split them)
     */
    public String keyFrom(String path, Function<String, String> headerLookup) {
        return switch (kind) {
            case PATH -> withoutQuery(path);
            case HEADER -> headerLookup.apply(name);
            case COOKIE -> cookie(headerLookup.apply("cookie"), name);
        };
    }

    static String withoutQuery(String path) {
        if (path == null) {
            return null;
        }
        int query = path.indexOf('?');
        return query < 0 ? path : path.substring(0, query);
    }

    /**
     * The value of cookie {@code name} in a {@code Cookie} header ({@code a=1; b="2"}), unquoted;
     * {@code null} when absent or empty. Names compare case-sensitively, as RFC 6265 says.
     */
    static String cookie(String header, String name) {
        if (header == null) {
            return null;
        }
        int length = header.length();
        int start = 0;
        while (start < length) {
            int end = header.indexOf(';', start);
            if (end < 0) {
                end = length;
            }
            int nameStart = skipSpace(header, start, end);
            int equals = header.indexOf('=', nameStart);
            if (equals >= 0 && equals < end) {
                int nameEnd = trimEnd(header, nameStart, equals);
                if (nameEnd - nameStart == name.length() && header.startsWith(name, nameStart)) {
                    int valueStart = skipSpace(header, equals + 1, end);
                    int valueEnd = trimEnd(header, valueStart, end);
                    if (valueEnd - valueStart >= 2 && header.charAt(valueStart) == '"'
                            && header.charAt(valueEnd - 1) == '"') {
                        valueStart++;
                        valueEnd--;
                    }
                    return valueEnd > valueStart ? header.substring(valueStart, valueEnd) : null;
                }
            }
            start = end + 1;
        }
        return null;
    }

    private static int skipSpace(String s, int from, int to) {
        while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
            from++;
        }
        return from;
    }

    private static int trimEnd(String s, int from, int to) {
        while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
            to--;
        }
        return to;
    }

    /** RFC 9110 token: one or more of {@code !#$%&'*+-.^_`|~}, digits and letters. */
    private static boolean isToken(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean alphanumeric = c < 128 && Character.isLetterOrDigit(c);
            if (!alphanumeric && "!#$%&'*+-.^_`|~".indexOf(c) < 0) {
                return false;
            }
        }
        return true;
    }
}
