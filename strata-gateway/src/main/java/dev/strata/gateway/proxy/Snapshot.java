package dev.strata.gateway.proxy;

import dev.strata.gateway.config.Cidr;
import dev.strata.gateway.config.GatewayConfig;
import dev.strata.gateway.config.RouteConfig;
import dev.strata.gateway.filter.FilterChain;
import dev.strata.gateway.filter.FilterSpec;
import dev.strata.gateway.filter.FilterStates;
import dev.strata.gateway.filter.FilterTypes;
import dev.strata.gateway.filter.HttpFilter;
import dev.strata.gateway.filter.LocalResponse;
import dev.strata.gateway.filter.builtin.BuiltInFilters;
import dev.strata.gateway.route.Router;
import dev.strata.gateway.upstream.Upstreams;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One generation of the gateway's configuration, as the request path uses it. Immutable: a request
 * reads the live snapshot once, at its start, and uses that generation to its end; a reload swaps the
 * whole snapshot at once. Each route is resolved with it into a {@link RoutePlan} (its group, its filter
 * chain, its body limit); {@code unrouted} is the chain of requests that admission refuses (the gateway's
 * own filters). {@code via} is the Via element this gateway adds, as bytes ({@code null}: none).
 */
public record Snapshot(GatewayConfig config, Router<RoutePlan> router, FilterChain unrouted, Upstreams upstreams,
                       List<Cidr> trustedProxies, byte[] via, Map<String, Router<RoutePlan>> listenerRouters) {

    /** The router of requests that came in on {@code listener}: its routes and those of every listener. */
    Router<RoutePlan> router(String listener) {
        if (listener == null || listenerRouters.isEmpty()) {
            return router;
        }
        Router<RoutePlan> r = listenerRouters.get(listener);
        return r == null ? router : r;
    }

    /**
     * Each route's filter chain: the gateway's {@code filters}, then the route's, then its direct
     * response; filter state comes from {@code states}. Built before anything else of a generation, so
     * that a filter refused leaves nothing behind.
     *
     * @throws IllegalArgumentException for a filter the types do not know or whose settings they refuse
     */
    static Map<String, FilterChain> chains(GatewayConfig config, FilterTypes types, FilterStates.Builder states,
                                           boolean warmup) {
        Map<String, FilterChain> chains = new java.util.HashMap<>();
        List<HttpFilter> unrouted = types.build(FilterTypes.UNROUTED, config.filters(), states, warmup);
        chains.put(FilterTypes.UNROUTED, unrouted.isEmpty() ? FilterChain.EMPTY : new FilterChain(unrouted));
        for (RouteConfig r : config.routes()) {
            List<FilterSpec> specs = new ArrayList<>(config.filters());
            specs.addAll(r.filters());
            List<HttpFilter> filters = new ArrayList<>(types.build(r.name(), r.upstream(), specs, states, warmup));
            if (r.respond() != null) {
                filters.add(BuiltInFilters.respond(directResponse(r.respond())));
            }
            chains.put(r.name(), filters.isEmpty() ? FilterChain.EMPTY : new FilterChain(filters));
        }
        return chains;
    }

    /** The generation of {@code config} with the chains {@link #chains} built for it. */
    static Snapshot of(GatewayConfig config, Upstreams upstreams, Map<String, FilterChain> chains) {
        List<RoutePlan> plans = new ArrayList<>(config.routes().size());
        for (RouteConfig r : config.routes()) {
            long maxBody = r.maxBody() != null ? r.maxBody().bytes() : config.limits().maxBody().bytes();
            plans.add(new RoutePlan(r, r.upstream() == null ? null : upstreams.group(r.upstream()),
                    chains.getOrDefault(r.name(), FilterChain.EMPTY), maxBody));
        }
        // routes limited to listeners: one router per listener, of its routes and the unlimited ones
        Map<String, Router<RoutePlan>> byListener = new java.util.HashMap<>();
        if (plans.stream().anyMatch(p -> !p.route().listeners().isEmpty())) {
            for (var l : config.listeners()) {
                byListener.put(l.name(), new Router<>(plans.stream().filter(p -> p.route().listeners().isEmpty()
                        || p.route().listeners().contains(l.name())).toList(), RoutePlan::route));
            }
        }
        return new Snapshot(config, new Router<>(plans.stream().filter(p -> p.route().listeners().isEmpty()).toList(),
                RoutePlan::route),
                chains.getOrDefault(FilterTypes.UNROUTED, FilterChain.EMPTY), upstreams,
                config.forwarding().trustedProxies().stream().map(Cidr::parse).toList(),
                config.forwarding().via() ? Wire.ascii("1.1 " + config.name()) : null, Map.copyOf(byListener));
    }

    private static LocalResponse directResponse(RouteConfig.Respond respond) {
        List<String> fields = new ArrayList<>();
        for (Map.Entry<String, String> h : respond.headers().entrySet()) {
            fields.add(h.getKey());
            fields.add(h.getValue());
        }
        if (!respond.body().isEmpty() && respond.headers().keySet().stream().noneMatch("content-type"::equalsIgnoreCase)) {
            fields.add("Content-Type");
            fields.add("text/plain; charset=utf-8");
        }
        return LocalResponse.of(respond.status(), fields, respond.body().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    boolean trusted(InetAddress address) {
        for (Cidr c : trustedProxies) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
