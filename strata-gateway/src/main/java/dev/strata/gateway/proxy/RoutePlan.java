package dev.strata.gateway.proxy;

import dev.strata.gateway.config.RouteConfig;
import dev.strata.gateway.filter.FilterChain;
import dev.strata.gateway.upstream.UpstreamGroup;

/**
 * A route as one configuration generation serves it: its filters, its upstream group ({@code null} when
 * the route answers itself, its chain then ending in the direct response) and its body limit.
 * Immutable, built with the snapshot.
 */
record RoutePlan(RouteConfig route, UpstreamGroup group, FilterChain chain, long maxBody)
        implements Admission.Decision {}
