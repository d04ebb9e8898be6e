package dev.strata.gateway.limit;

import dev.strata.gateway.filter.FilterType;

/** The {@code rate_limit} filter type, for {@link dev.strata.gateway.filter.builtin.BuiltInFilters}. */
public final class RateLimits {

    private RateLimits() {}

    public static FilterType<?> type() {
        return new RateLimitFilter.Type();
    }
}
