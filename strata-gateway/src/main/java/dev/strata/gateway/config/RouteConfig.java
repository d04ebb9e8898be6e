package dev.strata.gateway.config;

import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import dev.strata.common.config.ByteSize;
import dev.strata.gateway.filter.FilterSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One route: requests whose host matches {@code host} ({@code *}, {@code *.example.com} or exact) and
 * whose path starts with {@code pathPrefix} go through {@code filters}, then to upstream group
 * {@code upstream}, or get {@code respond} when it is given (then no upstream is needed).
 *
 * @param maxBody this route's request body limit, or {@code null} for {@code limits.max_body}
 * @param filters this route's filters, after the gateway's own {@code filters}
 * @param respond a response the gateway gives itself for every request of the route, or {@code null}
 * @param listeners the listeners whose requests the route takes, by name; empty: every listener's
 */
public record RouteConfig(String name, String host, String pathPrefix, String upstream, ByteSize maxBody,
                          List<FilterSpec> filters,
                          @JsonDeserialize(using = EntryDefaults.Respond.class) Respond respond,
                          List<String> listeners) {

    public RouteConfig {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("routes.name: '" + name + "' (expected: not empty)");
        }
        if (host == null || host.isBlank() || (host.contains("*") && !host.equals("*") && !host.startsWith("*."))
                || host.indexOf('*', 1) > 0) {
            throw new IllegalArgumentException("routes.host: '" + host
                    + "' (expected: *, *.example.com or an exact host)");
        }
        host = host.toLowerCase(java.util.Locale.ROOT);
        if (pathPrefix == null || !pathPrefix.startsWith("/")) {
            throw new IllegalArgumentException("routes.path_prefix: '" + pathPrefix
                    + "' (expected: starts with /)");
        }
        if (respond == null && (upstream == null || upstream.isBlank())) {
            throw new IllegalArgumentException("routes.upstream: '" + upstream
                    + "' (expected: a group name, or a respond: section)");
        }
        if (respond != null) {
            upstream = null; // a route that answers itself reaches no group
        }
        filters = filters == null ? List.of() : List.copyOf(filters);
        listeners = listeners == null ? List.of() : List.copyOf(listeners);
    }

    /** A route to {@code upstream} with no filters. */
    public RouteConfig(String name, String host, String pathPrefix, String upstream, ByteSize maxBody) {
        this(name, host, pathPrefix, upstream, maxBody, List.of(), null, List.of());
    }

    /**
     * A response the route gives itself (Envoy's direct response): a redirect, a maintenance page, a
     * health answer.
     *
     * @param status  200..599
     * @param headers fields of the response, in order (none when left out)
     * @param body    its body (text), or empty (also when left out)
     */
    public record Respond(int status, Map<String, String> headers, String body) {
        public Respond {
            if (status < 200 || status > 599) {
                throw new IllegalArgumentException("respond.status: " + status + " (expected: 200..599)");
            }
            headers = headers == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
            body = body == null ? "" : body;
        }
    }
}
