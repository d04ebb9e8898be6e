package dev.strata.gateway.cache;

import dev.strata.gateway.filter.FilterBuild;
import dev.strata.gateway.filter.FilterType;
import dev.strata.gateway.filter.HttpFilter;
import dev.strata.gateway.filter.WarmupMode;

/**
 * The shared HTTP cache (RFC 9111) as the filter type {@code cache}: {@code filters: [{cache: {...}}]} on
 * a route stores what its upstream answers and serves it to the next clients. Each route has a store of
 * its own, kept across reloads.
 */
public final class ResponseCache {

    private ResponseCache() {}

    /** The {@code cache} filter type. */
    public static FilterType<?> filterType() {
        return new Type();
    }

    private static final class Type implements FilterType<CacheSettings> {
        @Override
        public String name() {
            return "cache";
        }

        @Override
        public Class<CacheSettings> settings() {
            return CacheSettings.class;
        }

        @Override
        public WarmupMode warmup() {
            return WarmupMode.THROWAWAY_STATE; // the warm-up fills a store that is thrown away
        }

        @Override
        public HttpFilter create(CacheSettings settings, FilterBuild build) {
            CacheSettings s = settings == null ? CacheSettings.defaults() : settings;
            Store store = build.state("store:" + build.route(), Store.class, () -> new Store(s.storeSize().bytes()));
            store.resize(s.storeSize().bytes());
            return new CacheFilter(s, store, build.loopback());
        }
    }
}
