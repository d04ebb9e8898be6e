package dev.strata.gateway.upstream;

import dev.strata.gateway.config.EndpointConfig;
import dev.strata.gateway.config.UpstreamConfig;
import dev.strata.gateway.health.RetryBudget;
import io.netty.bootstrap.Bootstrap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The upstream groups of one configuration. Built from the previous generation on reload: an
 * endpoint that stays in its group (same group name, same {@code host:port}) is the same object, so
 * it keeps its pools, health and in-flight count; endpoints that left are closed by
 * {@link #retireRemoved(Upstreams)} once the new generation is live.
 */
public final class Upstreams {

    private final Map<String, UpstreamGroup> groups;

    private Upstreams(Map<String, UpstreamGroup> groups) {
        this.groups = Map.copyOf(groups);
    }

    public static Upstreams empty() {
        return new Upstreams(Map.of());
    }

    /**
     * @param used      the groups some route names; others are not started
     * @param previous  the generation being replaced ({@link #empty()} at start)
     * @param bootstrap upstream connection template for new endpoints' pools
     */
    public static Upstreams build(Map<String, UpstreamConfig> configs, Set<String> used, Upstreams previous,
                                  Bootstrap bootstrap) {
        Map<String, UpstreamGroup> groups = new HashMap<>();
        for (Map.Entry<String, UpstreamConfig> entry : configs.entrySet()) {
            String name = entry.getKey();
            if (!used.contains(name)) {
                continue;
            }
            UpstreamConfig config = entry.getValue();
            UpstreamGroup old = previous.groups.get(name);
            List<Endpoint> endpoints = new ArrayList<>();
            for (EndpointConfig spec : config.endpoints()) {
                String id = spec.address();
                Endpoint kept = null;
                if (old != null) {
                    for (Endpoint e : old.endpoints()) {
                        if (e.id().equals(id)) {
                            kept = e;
                        }
                    }
                }
                if (kept != null) {
                    kept.name(spec.name());
                    kept.poolConfig(config.pool());
                    kept.health().reconfigure(config.health());
                    endpoints.add(kept);
                } else {
                    endpoints.add(new Endpoint(id, spec.name(), config.health(), config.pool(), bootstrap));
                }
            }
            RetryBudget budget = old != null && old.config().retry().equals(config.retry())
                    ? old.retryBudget()
                    : new RetryBudget(config.retry().budgetRatio(), config.retry().minConcurrency());
            groups.put(name, new UpstreamGroup(name, config, endpoints, budget, old));
        }
        return new Upstreams(groups);
    }

    public UpstreamGroup group(String name) {
        return groups.get(name);
    }

    public Collection<UpstreamGroup> groups() {
        return groups.values();
    }

    /** Closes the idle connections of endpoints in {@code previous} that this generation dropped. */
    public void retireRemoved(Upstreams previous) {
        for (UpstreamGroup old : previous.groups.values()) {
            UpstreamGroup now = groups.get(old.name());
            for (Endpoint e : old.endpoints()) {
                if (now == null || !now.endpoints().contains(e)) {
                    e.close();
                }
            }
        }
    }

    /** Closes every endpoint's idle connections (shutdown). */
    public void closeAll() {
        groups.values().forEach(g -> g.endpoints().forEach(Endpoint::close));
    }
}
