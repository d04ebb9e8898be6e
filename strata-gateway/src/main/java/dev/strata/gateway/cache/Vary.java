package dev.strata.gateway.cache;

import dev.strata.gateway.filter.RequestView;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Secondary keys (RFC 9111 §4.1): the request fields a response's {@code Vary} names, normalised so
 * that requests that mean the same match: the values of every line joined, each member stripped, runs
 * of whitespace made one space, and lower case for the fields whose values are case-insensitive.
 * {@code Vary: *} never matches (such a response is not stored at all).
 */
final class Vary {

    private static final Set<String> CASE_INSENSITIVE = Set.of("accept", "accept-encoding", "accept-language",
            "accept-charset", "origin", "sec-fetch-mode", "sec-fetch-site", "sec-fetch-dest");

    private Vary() {}

    /** The names a response's {@code Vary} lines give, lower case, in order, without repeats. */
    static List<String> names(List<String> varyLines) {
        List<String> out = new ArrayList<>(2);
        for (String n : Fields.members(varyLines)) {
            if (!out.contains(n)) {
                out.add(n);
            }
        }
        return out;
    }

    /** The request's normalised values for {@code names}, {@code null} for a field it lacks. */
    static List<String> values(List<String> names, RequestView request) {
        if (names.isEmpty()) {
            return List.of();
        }
        List<String> out = new ArrayList<>(names.size());
        for (String n : names) {
            out.add(normalised(n, request.headers(n)));
        }
        return out;
    }

    static boolean matches(StoredResponse r, RequestView request) {
        if (r.varyNames.isEmpty()) {
            return true;
        }
        for (int i = 0; i < r.varyNames.size(); i++) {
            String name = r.varyNames.get(i);
            if (name.equals("*")) {
                return false;
            }
            if (!Objects.equals(r.varyValues.get(i), normalised(name, request.headers(name)))) {
                return false;
            }
        }
        return true;
    }

    static String normalised(String name, List<String> lines) {
        if (lines.isEmpty()) {
            return null;
        }
        StringBuilder sb = new StringBuilder();
        for (String line : lines) {
            for (String member : line.split(",")) {
                String m = member.strip();
                if (m.isEmpty()) {
                    continue;
                }
                if (!sb.isEmpty()) {
                    sb.append(',');
                }
                boolean space = false;
                for (int i = 0; i < m.length(); i++) {
                    char c = m.charAt(i);
                    if (c == ' ' || c == '\t') {
                        space = true;
                        continue;
                    }
                    if (space) {
                        // no space around ';' or '=' (parameters), one elsewhere
                        char prev = sb.charAt(sb.length() - 1);
                        if (c != ';' && c != '=' && prev != ';' && prev != '=') {
                            sb.append(' ');
                        }
                        space = false;
                    }
                    sb.append(c);
                }
            }
        }
        String v = sb.toString();
        return CASE_INSENSITIVE.contains(name) ? v.toLowerCase(Locale.ROOT) : v;
    }
}
