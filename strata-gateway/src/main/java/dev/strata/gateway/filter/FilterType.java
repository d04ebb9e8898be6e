package dev.strata.gateway.filter;

/**
 * A kind of filter as the configuration names it: {@code filters: [{NAME: {settings}}]} builds a filter
 * of the type called {@code NAME} from its settings, bound to {@code S} as every configuration record is
 * (snake_case keys, unknown keys refused); a key the entry leaves out is {@code null} (or 0 / false for a
 * primitive), so the type gives its own defaults.
 *
 * @param <S> the settings record
 */
public interface FilterType<S> {

    /** The configuration key, snake_case. */
    String name();

    Class<S> settings();

    WarmupMode warmup();

    /** A filter for one route; throws {@link IllegalArgumentException} for settings it cannot use. */
    HttpFilter create(S settings, FilterBuild build);
}
