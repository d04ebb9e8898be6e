package dev.strata.gateway.key;

import java.nio.charset.StandardCharsets;

/** Finds one parameter in a query string ({@code a=1&b=x%20y}), as HTML forms and URLSearchParams read it. */
final class QueryParameters {

    private QueryParameters() {}

    /**
     * The percent-decoded value of the first parameter named {@code name}, or {@code null} when there
     * is none or the first one has an empty value ({@code name=} or a bare {@code name}). Parameters
     * are separated by {@code &}; names are compared once decoded; {@code +} decodes to a space.
     *
     * @param query the query without {@code ?}, or {@code null}
     */
    static String value(String query, String name) {
        if (query == null) {
            return null;
        }
        int length = query.length();
        int start = 0;
        while (start <= length) {
            int end = query.indexOf('&', start);
            if (end < 0) {
                end = length;
            }
            int equals = query.indexOf('=', start);
            if (equals < 0 || equals > end) {
                equals = end;
            }
            if (nameIs(query, start, equals, name)) {
                return equals + 1 >= end ? null : decode(query, equals + 1, end);
            }
            start = end + 1;
        }
        return null;
    }

    private static boolean nameIs(String query, int from, int to, String name) {
        if (needsDecoding(query, from, to)) {
            return decode(query, from, to).equals(name);
        }
        return to - from == name.length() && query.startsWith(name, from);
    }

    private static boolean needsDecoding(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c == '%' || c == '+') {
                return true;
            }
        }
        return false;
    }

    /**
     * Decodes {@code s[from, to)}: {@code %XX} to the byte it names, {@code +} to a space, the bytes then
     * read as UTF-8 (a malformed sequence becomes U+FFFD). A {@code %} not followed by two hex digits is
     * kept as it is. The target reaches the gateway as ISO-8859-1, one char per byte, so every other char
     * is a byte.
     */
    static String decode(String s, int from, int to) {
        if (!needsDecoding(s, from, to)) {
            return s.substring(from, to);
        }
        byte[] bytes = new byte[to - from];
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            int high;
            int low;
            if (c == '%' && (high = hex(s, i + 1, to)) >= 0 && (low = hex(s, i + 2, to)) >= 0) {
                bytes[n++] = (byte) (high << 4 | low);
                i += 2;
            } else {
                bytes[n++] = (byte) (c == '+' ? ' ' : c);
            }
        }
        return new String(bytes, 0, n, StandardCharsets.UTF_8);
    }

    /** The value of the hex digit at {@code i}, or -1 when there is none before {@code to}. */
    private static int hex(String s, int i, int to) {
        if (i >= to) {
            return -1;
        }
        char c = s.charAt(i);
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }
}
