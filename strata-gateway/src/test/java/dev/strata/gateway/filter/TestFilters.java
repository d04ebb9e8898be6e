package dev.strata.gateway.filter;

import java.util.function.Function;

/** Filter types that tests define in a line: a name, a warm-up mode, and how a filter is made. */
public final class TestFilters {

    private TestFilters() {}

    /** The settings of a test type: none ({@code {NAME: {}}}). */
    public record None() {}

    /** A type called {@code name} whose filters {@code create} makes from the build context. */
    public static FilterType<None> type(String name, WarmupMode warmup, Function<FilterBuild, HttpFilter> create) {
        return new FilterType<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Class<None> settings() {
                return None.class;
            }

            @Override
            public WarmupMode warmup() {
                return warmup;
            }

            @Override
            public HttpFilter create(None settings, FilterBuild build) {
                return create.apply(build);
            }
        };
    }

    /** A stateless type whose every filter is {@code filter}. */
    public static FilterType<None> type(String name, HttpFilter filter) {
        return type(name, WarmupMode.THROWAWAY_STATE, build -> filter);
    }
}
