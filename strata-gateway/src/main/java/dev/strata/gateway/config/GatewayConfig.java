package dev.strata.gateway.config;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.strata.gateway.cluster.ClusterConfig;
import dev.strata.gateway.filter.FilterSpec;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The {@code gateway} section: an immutable record tree, bound by
 * {@code ConfigLoader.section("gateway", GatewayConfig.class)}. Every key is documented in
 * {@code strata/defaults/gateway.yaml}.
 */
public record GatewayConfig(
        String name,
        int ioThreads,
        @JsonDeserialize(contentUsing = EntryDefaults.Listener.class) List<ListenerConfig> listeners,
        AdminConfig admin,
        LimitsConfig limits,
        RoutingConfig routing,
        TimeoutsConfig timeouts,
        ForwardingConfig forwarding,
        AccessLogConfig accessLog,
        WarmupConfig warmup,
        List<FilterSpec> filters,
        @JsonDeserialize(contentUsing = EntryDefaults.Route.class) List<RouteConfig> routes,
        @JsonDeserialize(contentUsing = EntryDefaults.Upstream.class) Map<String, UpstreamConfig> upstreams,
        ClusterConfig cluster) {

    public GatewayConfig {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("name: '" + name + "' (expected: visible ASCII without spaces)");
        }
        if (ioThreads < 0) {
            throw new IllegalArgumentException("io_threads: " + ioThreads + " (expected: >= 0)");
        }
        listeners = List.copyOf(listeners);
        routes = List.copyOf(routes);
        filters = filters == null ? List.of() : List.copyOf(filters);
        upstreams = Map.copyOf(upstreams);
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(routing, "routing");
        Objects.requireNonNull(timeouts, "timeouts");
        Objects.requireNonNull(forwarding, "forwarding");
        Objects.requireNonNull(accessLog, "access_log");
        Objects.requireNonNull(warmup, "warmup");
        Objects.requireNonNull(cluster, "cluster");
        Set<String> seen = new HashSet<>();
        for (ListenerConfig l : listeners) {
            if (!seen.add(l.name())) {
                throw new IllegalArgumentException("listeners: duplicate name '" + l.name() + "'");
            }
        }
        seen.clear();
        java.util.Set<String> listenerNames = new java.util.HashSet<>();
        listeners.forEach(l -> listenerNames.add(l.name()));
        for (int i = 0; i < routes.size(); i++) {
            for (String l : routes.get(i).listeners()) {
                if (!listenerNames.contains(l)) {
                    throw new IllegalArgumentException("routes[" + i + "].listeners: '" + l
                            + "' (expected one of: " + String.join(", ", listenerNames.stream().sorted().toList()) + ")");
                }
            }
        }
        for (int i = 0; i < routes.size(); i++) {
            RouteConfig r = routes.get(i);
            if (!seen.add(r.name())) {
                throw new IllegalArgumentException("routes[" + i + "].name: '" + r.name() + "' (expected: a name no other route has)");
            }
            if (r.upstream() != null && !upstreams.containsKey(r.upstream())) {
                throw new IllegalArgumentException("routes[" + i + "].upstream: '" + r.upstream()
                        + "' (expected: one of " + upstreams.keySet() + ")");
            }
        }
    }

    /** Builds a copy with other routes and upstreams (tests and reload tooling). */
    public GatewayConfig withRouting(List<RouteConfig> routes, Map<String, UpstreamConfig> upstreams) {
        return new GatewayConfig(name, ioThreads, listeners, admin, limits, routing, timeouts, forwarding, accessLog,
                warmup, filters, routes, upstreams, cluster);
    }

    /** Builds a copy with another access log. */
    public GatewayConfig withAccessLog(AccessLogConfig accessLog) {
        return new GatewayConfig(name, ioThreads, listeners, admin, limits, routing, timeouts, forwarding, accessLog,
                warmup, filters, routes, upstreams, cluster);
    }

    public GatewayConfig withListeners(List<ListenerConfig> listeners, AdminConfig admin) {
        return new GatewayConfig(name, ioThreads, listeners, admin, limits, routing, timeouts, forwarding, accessLog,
                warmup, filters, routes, upstreams, cluster);
    }
}
