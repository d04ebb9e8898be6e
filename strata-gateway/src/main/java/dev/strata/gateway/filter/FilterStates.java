package dev.strata.gateway.filter;

import dev.strata.gateway.admin.AdminResource;
import dev.strata.gateway.cluster.Cluster;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The filters' state that outlives a reload, as endpoints keep their pools and health: a generation's
 * chains are built through {@link #builder}, which hands out the previous generation's objects for the
 * keys asked again, and {@link Builder#commit} makes what was asked the kept set (so what no route
 * asks for any more is let go, and closed when it is {@link AutoCloseable}). A warm-up builds on a {@link #throwaway} instance: never the real state.
 *
 * <p>Threading: building and committing are serialized by the caller (the proxy's reload monitor).
 */
public final class FilterStates {

    private final MeterRegistry meters;
    private final boolean warmup;
    private final Optional<Cluster> cluster;
    private final Map<String, AdminResource> gatewayResources;
    private Map<String, Object> kept = new HashMap<>();
    private volatile Map<String, AdminResource> resources = Map.of();
    private volatile java.net.InetSocketAddress loopbackAddress;
    private final Loopback loopback;

    public FilterStates(MeterRegistry meters) {
        this(meters, false, Optional.empty(), List.of());
    }

    /**
     * @param cluster          what {@link FilterBuild#cluster()} hands the filters
     * @param gatewayResources admin resources of the gateway's own, served beside the filters' ones
     */
    public FilterStates(MeterRegistry meters, Optional<Cluster> cluster, List<AdminResource> gatewayResources) {
        this(meters, false, cluster, gatewayResources);
    }

    private FilterStates(MeterRegistry meters, boolean warmup, Optional<Cluster> cluster, List<AdminResource> own) {
        this.meters = meters;
        this.warmup = warmup;
        this.cluster = cluster;
        Map<String, AdminResource> byPath = new LinkedHashMap<>();
        own.forEach(r -> byPath.put(r.path(), r));
        this.gatewayResources = Map.copyOf(byPath);
        this.resources = gatewayResources;
        this.loopback = warmup ? Loopback.none() : new Loopback(() -> loopbackAddress);
    }

    /** Where {@link FilterBuild#loopback} requests go: the gateway's first listener, once bound. */
    public void loopbackAddress(java.net.InetSocketAddress address) {
        loopbackAddress = address;
    }

    /** State for the warm-up's chains: empty, with meters that go nowhere. */
    public static FilterStates throwaway() {
        return new FilterStates(new SimpleMeterRegistry(), true, Optional.empty(), List.of());
    }

    public boolean warmup() {
        return warmup;
    }

    /** The admin resources the current generation's filters registered, by path. */
    public Map<String, AdminResource> adminResources() {
        return resources;
    }

    /** Starts building the next generation's chains. */
    public Builder builder() {
        return new Builder();
    }

    /** One generation's chains being built. */
    public final class Builder {

        private final Map<String, Object> asked = new HashMap<>();
        private final Map<String, AdminResource> admin = new LinkedHashMap<>(gatewayResources);

        private Builder() {}

        /** The build context of one filter of {@code type} on {@code route}, whose group is {@code upstream}. */
        public FilterBuild forFilter(String route, String upstream, String type) {
            return new FilterBuild() {
                @Override
                public String route() {
                    return route;
                }

                @Override
                public String upstream() {
                    return upstream;
                }

                @Override
                public boolean warmup() {
                    return warmup;
                }

                @Override
                public <T> T state(String key, Class<T> stateType, Supplier<T> create) {
                    String k = type + "/" + key;
                    Object o = asked.get(k);
                    if (o == null) {
                        Object previous = kept.get(k);
                        o = stateType.isInstance(previous) ? previous : create.get();
                        asked.put(k, o);
                    }
                    if (!stateType.isInstance(o)) {
                        throw new IllegalArgumentException("filter state " + k + ": a " + o.getClass().getSimpleName()
                                + " (expected: " + stateType.getSimpleName() + ")");
                    }
                    return stateType.cast(o);
                }

                @Override
                public MeterRegistry meters() {
                    return meters;
                }

                @Override
                public Optional<Cluster> cluster() {
                    return warmup ? Optional.empty() : cluster;
                }

                @Override
                public Loopback loopback() {
                    return loopback;
                }

                @Override
                public void admin(AdminResource resource) {
                    if (warmup) {
                        return;
                    }
                    if (gatewayResources.containsKey(resource.path())) {
                        throw new IllegalArgumentException("admin resource " + resource.path()
                                + ": the gateway's own (expected: another path)");
                    }
                    AdminResource before = admin.putIfAbsent(resource.path(), resource);
                    if (before != null && before != resource) {
                        throw new IllegalArgumentException("admin resource " + resource.path()
                                + ": registered twice (expected: one per path)");
                    }
                }
            };
        }

        /**
         * What this generation asked for becomes the kept state; a kept object no key asks for any more
         * is closed when it is {@link AutoCloseable} (a store gives its memory back).
         */
        public void commit() {
            for (Map.Entry<String, Object> e : kept.entrySet()) {
                if (asked.get(e.getKey()) != e.getValue() && !asked.containsValue(e.getValue())
                        && e.getValue() instanceof AutoCloseable c) {
                    try {
                        c.close();
                    } catch (Exception x) {
                        // a state that fails to close is let go all the same
                    }
                }
            }
            kept = new HashMap<>(asked);
            if (!warmup) {
                resources = Map.copyOf(admin);
            }
        }
    }
}
