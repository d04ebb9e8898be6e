package dev.strata.gateway.config;

import dev.strata.common.config.ByteSize;

/**
 * One route: requests whose host matches {@code host} ({@code *}, {@code *.example.com} or exact) and
 * whose path starts with {@code pathPrefix} go to upstream group {@code upstream}.
 *
 * @param maxBody this route's request body limit, or {@code null} for {@code limits.max_body}
 */
public record RouteConfig(String name, String host, String pathPrefix, String upstream, ByteSize maxBody) {

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
        if (upstream == null || upstream.isBlank()) {
            throw new IllegalArgumentException("routes." + name + ".upstream: '" + upstream + "' (expected: a group name)");
        }
    }
}
