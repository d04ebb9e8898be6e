package dev.strata.gateway.cache;

import dev.strata.gateway.admin.AdminResource;
import dev.strata.gateway.filter.FilterBuild;
import dev.strata.gateway.filter.FilterType;
import dev.strata.gateway.filter.HttpFilter;
import dev.strata.gateway.filter.WarmupMode;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * The shared HTTP cache (RFC 9111) as the filter type {@code cache}: {@code filters: [{cache: {...}}]} on
 * a route stores what its upstream answers and serves it to the next clients. Each route has a store of
 * its own, kept across reloads.
 */
public final class ResponseCache {

    private ResponseCache() {}

    /** The {@code cache} filter type. */
    public static FilterType<?> filterType() {
        return filterType(stores -> {});
    }

    /**
     * The {@code cache} filter type, handing {@code stores} the gateway's {@link Stores} at each build of
     * a real (not warm-up) cache filter: where purges from other gateways come in
     * ({@link Stores#apply}, {@link Stores#mayHaveMissedPurges}).
     */
    public static FilterType<?> filterType(java.util.function.Consumer<Stores> stores) {
        return new Type(stores);
    }

    private static final class Type implements FilterType<CacheSettings> {
        private final java.util.function.Consumer<Stores> onStores;

        Type(java.util.function.Consumer<Stores> onStores) {
            this.onStores = onStores;
        }

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
            long budget = DirectMemory.storeBudget(s.storeSize().bytes(), DirectMemory.limit());
            if (budget < s.storeSize().bytes() && !build.warmup()) {
                org.slf4j.LoggerFactory.getLogger(ResponseCache.class).warn("cache of route {}: store_size {} bytes is"
                        + " more than the JVM's direct memory ({} bytes, -XX:MaxDirectMemorySize) leaves; the store keeps"
                        + " at most {} bytes", build.route(), s.storeSize().bytes(), DirectMemory.limit(), budget);
            }
            Store store = build.state("store:" + build.route(), Store.class, () -> new Store(budget));
            store.resize(budget);
            store.fences.configure(s.positions());
            Stores stores = build.state("stores", Stores.class, Stores::new);
            stores.register(build.route(), store);
            if (!build.warmup()) {
                onStores.accept(stores);
                build.cluster().ifPresent(cluster ->
                        stores.fanout(build.state("fanout", PurgeFanout.class, () -> new PurgeFanout(stores, cluster))));
            }
            build.admin(build.state("purge", CacheAdmin.Purge.class, () -> new CacheAdmin.Purge(stores)));
            build.admin(build.state("view", AdminResource.class, () -> CacheAdmin.view(stores)));
            meters(build.meters(), build.route(), store, stores);
            return new CacheFilter(s, store, build.loopback(), stores);
        }

        private static void meters(MeterRegistry m, String route, Store store, Stores stores) {
            Tags t = Tags.of("route", route);
            FunctionCounter.builder("strata.cache.hits", store.hits, LongAdder::sum).tags(t).register(m);
            for (String kind : List.of("uri-miss", "vary-miss", "stale", "request", "method", "bypass")) {
                LongAdder a = store.misses.computeIfAbsent(kind, k -> new LongAdder());
                FunctionCounter.builder("strata.cache.misses", a, LongAdder::sum).tags(t.and("kind", kind)).register(m);
            }
            FunctionCounter.builder("strata.cache.stale.served", store.staleServed, LongAdder::sum).tags(t).register(m);
            FunctionCounter.builder("strata.cache.coalesced", store.coalesced, LongAdder::sum).tags(t).register(m);
            FunctionCounter.builder("strata.cache.evictions", store.evictions, LongAdder::sum).tags(t).register(m);
            FunctionCounter.builder("strata.cache.purged", store.purged, LongAdder::sum).tags(t).register(m);
            FunctionCounter.builder("strata.cache.purges", stores, Stores::purges).register(m);
            FunctionCounter.builder("strata.cache.fenced", store.fenced, LongAdder::sum).tags(t).register(m);
            FunctionCounter.builder("strata.cache.invalidations.unacknowledged", stores, Stores::unacknowledged)
                    .register(m);
            Gauge.builder("strata.cache.stored.bytes", store, Store::bytes).tags(t).baseUnit("bytes").register(m);
            Gauge.builder("strata.cache.objects", store, Store::keysStored).tags(t).register(m);
        }
    }
}
