package dev.strata.gateway.filter.builtin;

import dev.strata.gateway.cache.ResponseCache;
import dev.strata.gateway.filter.FilterTypes;
import dev.strata.gateway.filter.HttpFilter;
import dev.strata.gateway.filter.LocalResponse;
import dev.strata.gateway.filter.Verdict;
import dev.strata.gateway.limit.RateLimits;
import dev.strata.gateway.shed.Shedding;

/** The built-in filter types, and the filter behind a route's {@code respond:}. */
public final class BuiltInFilters {

    private BuiltInFilters() {}

    /** The types a configuration may name: {@code headers}, {@code request_id}, {@code cache}, {@code rate_limit} and {@code shed}. */
    public static FilterTypes types() {
        return FilterTypes.none().with(new HeadersFilter.Type()).with(new RequestIdFilter.Type())
                .with(ResponseCache.filterType()).with(RateLimits.type()).with(Shedding.filterType());
    }

    /** A filter that answers every request with {@code response} (a route's {@code respond:}). */
    public static HttpFilter respond(LocalResponse response) {
        Verdict verdict = Verdict.respond(response);
        return context -> verdict;
    }
}
