package dev.strata.gateway.filter;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.common.config.ConfigLoader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The filter types a gateway knows, by configuration name, and the building of chains from
 * {@link FilterSpec}s. Immutable; {@link #with} gives a copy that knows one more type (an embedding
 * application's, or a test's).
 */
public final class FilterTypes {

    /**
     * Binds a filter's settings as configuration records are bound, but for one thing: a filter's settings
     * get no defaults merged in from a defaults file, so a key the entry leaves out binds as {@code null}
     * (the type's default) instead of refusing the entry.
     */
    private static final ObjectMapper SETTINGS = ConfigLoader.mapper()
            .disable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES);

    /**
     * The route name of the chain that requests no route took run: the gateway's own {@code filters}
     * only, before such a request gets its refusal (404, 413, ...).
     */
    public static final String UNROUTED = "";

    private final Map<String, FilterType<?>> types;

    private FilterTypes(Map<String, FilterType<?>> types) {
        this.types = Map.copyOf(types);
    }

    /** No types at all. */
    public static FilterTypes none() {
        return new FilterTypes(Map.of());
    }

    /** A copy that also knows {@code type}. */
    public FilterTypes with(FilterType<?> type) {
        Map<String, FilterType<?>> next = new LinkedHashMap<>(types);
        if (next.putIfAbsent(type.name(), type) != null) {
            throw new IllegalArgumentException("filter type: " + type.name() + " (expected: a name not taken)");
        }
        return new FilterTypes(next);
    }

    /**
     * The filters of {@code specs} for {@code route}, in order; in a warm-up build the types whose
     * {@link WarmupMode} is {@link WarmupMode#OFF} are left out.
     *
     * @throws IllegalArgumentException for an unknown type or settings its type refuses, naming the
     *                                  route and the type
     */
    public List<HttpFilter> build(String route, List<FilterSpec> specs, FilterStates.Builder states, boolean warmup) {
        return build(route, null, specs, states, warmup);
    }

    /** As {@link #build(String, List, FilterStates.Builder, boolean)}, for a route whose group is {@code upstream}. */
    public List<HttpFilter> build(String route, String upstream, List<FilterSpec> specs, FilterStates.Builder states,
                                  boolean warmup) {
        List<HttpFilter> out = new ArrayList<>(specs.size());
        for (FilterSpec spec : specs) {
            FilterType<?> type = types.get(spec.type());
            if (type == null) {
                throw new IllegalArgumentException(where(route) + ": unknown filter '" + spec.type()
                        + "' (expected one of: " + String.join(", ", types.keySet().stream().sorted().toList()) + ")");
            }
            if (warmup && type.warmup() == WarmupMode.OFF) {
                continue;
            }
            out.add(create(route, upstream, spec, type, states));
        }
        return out;
    }

    private static <S> HttpFilter create(String route, String upstream, FilterSpec spec, FilterType<S> type,
                                         FilterStates.Builder states) {
        S settings;
        try {
            settings = SETTINGS.convertValue(spec.settings(), type.settings());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where(route) + "." + spec.type() + ": "
                    + firstLine(e.getMessage()), e);
        }
        try {
            return type.create(settings, states.forFilter(route, upstream, type.name()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where(route) + "." + spec.type() + "." + e.getMessage(), e);
        }
    }

    /** Where a chain's filters are configured: a route's {@code filters}, or the gateway's for {@link #UNROUTED}. */
    private static String where(String route) {
        return route.equals(UNROUTED) ? "filters" : "routes." + route + ".filters";
    }

    private static String firstLine(String message) {
        if (message == null) {
            return "invalid settings";
        }
        int nl = message.indexOf('\n');
        String line = nl < 0 ? message : message.substring(0, nl);
        int at = line.indexOf(" (class ");
        return at < 0 ? line : line.substring(0, at);
    }
}
