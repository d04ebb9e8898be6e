package dev.strata.gateway.proxy;

import java.util.ArrayList;
import java.util.List;

/** Lookups in a head kept as name/value pairs ({@code [name0, value0, ...]}), names in any case. */
final class FieldPairs {

    private FieldPairs() {}

    static String first(List<String> pairs, String name) {
        for (int i = 0; i < pairs.size(); i += 2) {
            if (pairs.get(i).equalsIgnoreCase(name)) {
                return pairs.get(i + 1);
            }
        }
        return null;
    }

    static List<String> all(List<String> pairs, String name) {
        List<String> out = new ArrayList<>(1);
        for (int i = 0; i < pairs.size(); i += 2) {
            if (pairs.get(i).equalsIgnoreCase(name)) {
                out.add(pairs.get(i + 1));
            }
        }
        return out;
    }
}
