package dev.strata.gateway.filter;

import java.util.List;

/** The filters of one route in one configuration generation, in the order they run. Immutable. */
public final class FilterChain {

    public static final FilterChain EMPTY = new FilterChain(List.of());

    private final HttpFilter[] filters;

    public FilterChain(List<HttpFilter> filters) {
        this.filters = filters.toArray(new HttpFilter[0]);
    }

    public int size() {
        return filters.length;
    }

    public HttpFilter get(int i) {
        return filters[i];
    }

    public boolean isEmpty() {
        return filters.length == 0;
    }
}
