package dev.strata.gateway.config;

/**
 * How a request's path is made ready for routing (RFC 3986 §6): {@code normalizePath} is
 * {@code normalize} (dot segments removed, percent-escaped unreserved characters decoded; the normal
 * path is routed and forwarded), {@code refuse} (400 for a path that normalizing would change) or
 * {@code off} (routed and forwarded as received); {@code mergeSlashes} makes a run of slashes one
 * (as Envoy's {@code normalize_path} and {@code merge_slashes}).
 */
public record RoutingConfig(String normalizePath, boolean mergeSlashes) {

    public RoutingConfig {
        if (!"normalize".equals(normalizePath) && !"refuse".equals(normalizePath) && !"off".equals(normalizePath)) {
            throw new IllegalArgumentException("routing.normalize_path: " + normalizePath
                    + " (expected: normalize, refuse or off)");
        }
    }

    /** Whether paths are looked at at all. */
    public boolean checksPaths() {
        return !"off".equals(normalizePath) || mergeSlashes;
    }

    /** Whether a path that is not normal is refused rather than normalized. */
    public boolean refuses() {
        return "refuse".equals(normalizePath);
    }

    /** Whether dot segments and escapes are normalized (or refused); false with {@code off}. */
    public boolean dotsAndEscapes() {
        return !"off".equals(normalizePath);
    }
}
