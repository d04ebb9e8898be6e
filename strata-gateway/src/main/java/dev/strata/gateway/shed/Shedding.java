package dev.strata.gateway.shed;

import dev.strata.gateway.filter.FilterType;

/** The load-shedding filter type, {@code shed}; see {@code docs/configuration.md} for its settings. */
public final class Shedding {

    private Shedding() {}

    /** The {@code shed} filter type. */
    public static FilterType<?> filterType() {
        return new ShedFilter.Type();
    }
}
