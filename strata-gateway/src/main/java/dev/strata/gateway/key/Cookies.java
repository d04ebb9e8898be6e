package dev.strata.gateway.key;

import java.util.List;

/** Finds one cookie in a request's {@code Cookie} fields (RFC 6265 §5.4), without a cookie decoder. */
final class Cookies {

    private Cookies() {}

    /**
     * The value of cookie {@code name}, unquoted, or {@code null} when it is absent or empty. Every
     * field is read, in order, not only the first (HTTP/2 sends each cookie in a field of its own, and
     * HTTP/1.1 clients may send several fields too); the first occurrence decides, as if the fields
     * were one joined by {@code "; "}.
     */
    static String value(List<String> fields, String name) {
        for (int i = 0, n = fields.size(); i < n; i++) {
            String value = scan(fields.get(i), name);
            if (value != null) {
                return value.isEmpty() ? null : value;
            }
        }
        return null;
    }

    /**
     * The value of cookie {@code name} in one {@code Cookie} field ({@code a=1; b="2"}), unquoted:
     * {@code null} when absent, empty when present without a value. Names compare case-sensitively, as
     * RFC 6265 says; spaces and tabs around names and values are ignored; a pair without {@code =} is
     * skipped.
     */
    static String scan(String field, String name) {
        int length = field.length();
        int start = 0;
        while (start < length) {
            int end = field.indexOf(';', start);
            if (end < 0) {
                end = length;
            }
            int nameStart = skipSpace(field, start, end);
            int equals = field.indexOf('=', nameStart);
            if (equals >= 0 && equals < end) {
                int nameEnd = trimEnd(field, nameStart, equals);
                if (nameEnd - nameStart == name.length() && field.startsWith(name, nameStart)) {
                    int valueStart = skipSpace(field, equals + 1, end);
                    int valueEnd = trimEnd(field, valueStart, end);
                    if (valueEnd - valueStart >= 2 && field.charAt(valueStart) == '"'
                            && field.charAt(valueEnd - 1) == '"') {
                        valueStart++;
                        valueEnd--;
                    }
                    return field.substring(valueStart, valueEnd);
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
}
