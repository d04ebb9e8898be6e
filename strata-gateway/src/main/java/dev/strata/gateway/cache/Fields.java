package dev.strata.gateway.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Lookups in a head's fields kept as name/value pairs ({@code [name0, value0, ...]}). */
final class Fields {

    private Fields() {}

    static String first(List<String> fields, String name) {
        for (int i = 0; i < fields.size(); i += 2) {
            if (fields.get(i).equalsIgnoreCase(name)) {
                return fields.get(i + 1);
            }
        }
        return null;
    }

    static List<String> all(List<String> fields, String name) {
        List<String> out = null;
        for (int i = 0; i < fields.size(); i += 2) {
            if (fields.get(i).equalsIgnoreCase(name)) {
                if (out == null) {
                    out = new ArrayList<>(2);
                }
                out.add(fields.get(i + 1));
            }
        }
        return out == null ? List.of() : out;
    }

    /** The comma-separated members of every field line of {@code name}, stripped and lower case. */
    static List<String> members(List<String> lines) {
        List<String> out = new ArrayList<>(4);
        for (String line : lines) {
            for (String m : line.split(",")) {
                String t = m.strip().toLowerCase(Locale.ROOT);
                if (!t.isEmpty()) {
                    out.add(t);
                }
            }
        }
        return out;
    }
}
