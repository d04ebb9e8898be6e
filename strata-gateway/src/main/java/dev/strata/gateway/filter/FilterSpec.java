package dev.strata.gateway.filter;

import com.fasterxml.jackson.annotation.JsonCreator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One entry of a {@code filters:} list as written: {@code {headers: {response: {set: {X-Frame-Options: DENY}}}}}.
 * Immutable; its settings are bound to the type's record when the chain is built, which refuses an
 * unknown type or setting before a configuration is used.
 *
 * @param type     the filter type's name
 * @param settings the type's settings as plain values (maps, lists, strings, numbers, booleans)
 */
public record FilterSpec(String type, Map<String, Object> settings) {

    public FilterSpec {
        if (type == null || type.isBlank()) {
            throw new IllegalArgumentException("filters: an entry without a type (expected: {TYPE: {settings}})");
        }
        settings = settings == null ? Map.of() : frozen(settings);
    }

    @JsonCreator
    static FilterSpec fromYaml(Map<String, Object> entry) {
        if (entry == null || entry.size() != 1) {
            throw new IllegalArgumentException("filters: " + (entry == null ? "null" : entry.keySet())
                    + " (expected: one filter type per entry, as {headers: {...}})");
        }
        Map.Entry<String, Object> e = entry.entrySet().iterator().next();
        Object v = e.getValue();
        if (v != null && !(v instanceof Map)) {
            throw new IllegalArgumentException("filters." + e.getKey() + ": " + v + " (expected: a mapping of settings)");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> settings = (Map<String, Object>) v;
        return new FilterSpec(e.getKey(), settings);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> frozen(Map<String, Object> m) {
        Map<String, Object> out = new LinkedHashMap<>();
        m.forEach((k, v) -> out.put(k, frozenValue(v)));
        return Collections.unmodifiableMap(out);
    }

    @SuppressWarnings("unchecked")
    private static Object frozenValue(Object v) {
        if (v instanceof Map<?, ?> m) {
            return frozen((Map<String, Object>) m);
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(x -> out.add(frozenValue(x)));
            return Collections.unmodifiableList(out);
        }
        return v;
    }
}
