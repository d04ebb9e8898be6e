package dev.strata.gateway.config;

import com.fasterxml.jackson.annotation.JsonCreator;
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
 */
public record RouteConfig(String name, String host, String pathPrefix, String upstream, ByteSize maxBody,
                          List<FilterSpec> filters, Respond respond) {

    public RouteConfig {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("routes.name: '" + name + "' (expected: not empty)");
        }
        if (host == null || host.isBlank() || (host.contains("*") && !host.equals("*") && !host.startsWith("*."))
                || host.indexOf('*', 1) > 0) {
            throw new IllegalArgumentException("routes." + name + ".host: '" + host
                    + "' (expected: *, *.example.com or an exact host)");
        }
        host = host.toLowerCase(java.util.Locale.ROOT);
        if (pathPrefix == null || !pathPrefix.startsWith("/")) {
            throw new IllegalArgumentException("routes." + name + ".path_prefix: '" + pathPrefix
                    + "' (expected: starts with /)");
        }
        if (respond == null && (upstream == null || upstream.isBlank())) {
            throw new IllegalArgumentException("routes." + name + ".upstream: '" + upstream
                    + "' (expected: a group name, or a respond: section)");
        }
        if (respond != null) {
            upstream = null; // a route that answers itself reaches no group
        }
        filters = filters == null ? List.of() : List.copyOf(filters);
    }

    /** A route to {@code upstream} with no filters. */
    public RouteConfig(String name, String host, String pathPrefix, String upstream, ByteSize maxBody) {
        this(name, host, pathPrefix, upstream, maxBody, List.of(), null);
    }

    /**
     * A response the route gives itself (Envoy's direct response): a redirect, a maintenance page, a
     * health answer.
     *
     * @param status  200..599
     * @param headers fields of the response, in order
     * @param body    its body (text), or empty
     */
    public record Respond(int status, Map<String, String> headers, String body) {
        public Respond {
            if (status < 200 || status > 599) {
                throw new IllegalArgumentException("respond.status: " + status + " (expected: 200..599)");
            }
            headers = headers == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
            body = body == null ? "" : body;
        }

        /** From YAML, where {@code headers} and {@code body} may be left out. */
        @JsonCreator
        static Respond fromYaml(Map<String, Object> m) {
            for (String key : m.keySet()) {
                if (!key.equals("status") && !key.equals("headers") && !key.equals("body")) {
                    throw new IllegalArgumentException("respond." + key + ": unknown key (expected one of: status, headers, body)");
                }
            }
            if (!(m.get("status") instanceof Integer status)) {
                throw new IllegalArgumentException("respond.status: " + m.get("status") + " (expected: 200..599)");
            }
            Map<String, String> headers = new LinkedHashMap<>();
            if (m.get("headers") instanceof Map<?, ?> h) {
                h.forEach((k, v) -> headers.put(String.valueOf(k), String.valueOf(v)));
            } else if (m.get("headers") != null) {
                throw new IllegalArgumentException("respond.headers: " + m.get("headers") + " (expected: a mapping)");
            }
            Object body = m.get("body");
            return new Respond(status, headers, body == null ? null : String.valueOf(body));
        }
    }
}
