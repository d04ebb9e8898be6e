package dev.strata.gateway.cache;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The directives of {@code Cache-Control} (RFC 9111 §5.2) or a targeted field of RFC 9213 syntax, read
 * from every field line of the name. Names are lower-cased; of a directive given twice the first counts
 * (§4.2.1). Values are tokens or quoted strings; a malformed value is kept as written, and
 * {@link #seconds} calls it invalid.
 */
final class CacheControl {

    static final CacheControl NONE = new CacheControl(Map.of());

    /** What {@link #seconds} says of a directive that is absent. */
    static final long ABSENT = -1;
    /** What {@link #seconds} says of a directive whose value is not delta-seconds. */
    static final long INVALID = -2;
    /** §1.2.2: a delta-seconds too large to represent is this. */
    static final long MAX_DELTA = 2147483648L;

    private final Map<String, String> directives; // value null when the directive has none

    private CacheControl(Map<String, String> directives) {
        this.directives = directives;
    }

    static CacheControl parse(List<String> lines) {
        if (lines.isEmpty()) {
            return NONE;
        }
        Map<String, String> out = new HashMap<>(8);
        for (String line : lines) {
            parseLine(line, out);
        }
        return out.isEmpty() ? NONE : new CacheControl(out);
    }

    private static void parseLine(String s, Map<String, String> out) {
        int i = 0;
        int n = s.length();
        while (i < n) {
            while (i < n && (s.charAt(i) == ',' || s.charAt(i) == ' ' || s.charAt(i) == '\t')) {
                i++;
            }
            int start = i;
            while (i < n && s.charAt(i) != '=' && s.charAt(i) != ',') {
                i++;
            }
            String name = s.substring(start, i).strip().toLowerCase(Locale.ROOT);
            String value = null;
            if (i < n && s.charAt(i) == '=') {
                i++;
                if (i < n && s.charAt(i) == '"') {
                    StringBuilder v = new StringBuilder();
                    i++;
                    while (i < n && s.charAt(i) != '"') {
                        if (s.charAt(i) == '\\' && i + 1 < n) {
                            i++;
                        }
                        v.append(s.charAt(i++));
                    }
                    i++; // the closing quote
                    value = v.toString();
                    while (i < n && s.charAt(i) != ',') {
                        i++;
                    }
                } else {
                    int vs = i;
                    while (i < n && s.charAt(i) != ',') {
                        i++;
                    }
                    value = s.substring(vs, i).strip();
                }
            }
            if (!name.isEmpty()) {
                out.putIfAbsent(name, value);
            }
        }
    }

    /** §5.4: {@code Pragma: no-cache} (which counts only when the request has no {@code Cache-Control}). */
    static boolean pragmaNoCache(List<String> pragmaLines) {
        return Fields.members(pragmaLines).contains("no-cache");
    }

    boolean isEmpty() {
        return directives.isEmpty();
    }

    boolean has(String name) {
        return directives.containsKey(name);
    }

    /** Whether {@code name} is present without field names ({@code no-cache}, not {@code no-cache="x"}). */
    boolean hasUnqualified(String name) {
        return directives.containsKey(name) && (directives.get(name) == null || directives.get(name).isBlank());
    }

    /** The field names of a qualified {@code no-cache} or {@code private}, lower case; empty when none. */
    List<String> fieldNames(String name) {
        String v = directives.get(name);
        if (v == null || v.isBlank()) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (String f : v.split(",")) {
            String t = f.strip().toLowerCase(Locale.ROOT);
            if (!t.isEmpty()) {
                out.add(t);
            }
        }
        return out;
    }

    /** The delta-seconds value of {@code name}: {@link #ABSENT}, {@link #INVALID}, or 0..{@link #MAX_DELTA}. */
    long seconds(String name) {
        if (!directives.containsKey(name)) {
            return ABSENT;
        }
        return deltaSeconds(directives.get(name));
    }

    static long deltaSeconds(String v) {
        if (v == null || v.isEmpty()) {
            return INVALID;
        }
        long n = 0;
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return INVALID;
            }
            n = n * 10 + (c - '0');
            if (n >= MAX_DELTA) {
                return MAX_DELTA;
            }
        }
        return n;
    }

    @Override
    public String toString() {
        return directives.toString();
    }
}
