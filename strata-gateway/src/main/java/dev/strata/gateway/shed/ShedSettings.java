package dev.strata.gateway.shed;

import java.time.Duration;
import java.util.List;

/**
 * The settings of a {@code shed} filter; a key left out takes its default.
 *
 * @param algorithm    {@code gradient} (Netflix's Gradient2) or {@code aimd}
 * @param initialLimit the limit a group starts with
 * @param minLimit     the limit never goes below this
 * @param maxLimit     ... nor above this
 * @param queueSize    requests of a group that may wait for a slot at once (0: none wait)
 * @param queueTimeout the longest a request waits for a slot before it is shed
 * @param retryAfter   what {@code Retry-After} tells a shed client (whole seconds, rounded up)
 * @param exemptPaths  path prefixes never shed (and not counted)
 * @param backoffRatio aimd: the factor the limit is cut by on a drop
 * @param maxLatency   aimd: a response whose head takes longer than this counts as a drop
 */
record ShedSettings(String algorithm, Integer initialLimit, Integer minLimit, Integer maxLimit, Integer queueSize,
                    Duration queueTimeout, Duration retryAfter, List<String> exemptPaths, Double backoffRatio,
                    Duration maxLatency) {

    static final ShedSettings DEFAULTS = new ShedSettings(null, null, null, null, null, null, null, null, null, null);

    ShedSettings {
        algorithm = algorithm == null ? "gradient" : algorithm;
        minLimit = minLimit == null ? 4 : minLimit;
        maxLimit = maxLimit == null ? 200 : maxLimit;
        initialLimit = initialLimit == null ? Math.min(Math.max(20, minLimit), maxLimit) : initialLimit;
        queueSize = queueSize == null ? 32 : queueSize;
        queueTimeout = queueTimeout == null ? Duration.ofMillis(50) : queueTimeout;
        retryAfter = retryAfter == null ? Duration.ofSeconds(1) : retryAfter;
        exemptPaths = exemptPaths == null ? List.of() : List.copyOf(exemptPaths);
        backoffRatio = backoffRatio == null ? 0.9 : backoffRatio;
        maxLatency = maxLatency == null ? Duration.ofSeconds(5) : maxLatency;
    }

    /** Refuses settings it cannot use, naming the key (the type prefixes the route and its name). */
    ShedSettings validated() {
        if (!algorithm.equals("gradient") && !algorithm.equals("aimd")) {
            throw new IllegalArgumentException("algorithm: '" + algorithm + "' (expected: gradient or aimd)");
        }
        if (minLimit < 1) {
            throw new IllegalArgumentException("min_limit: " + minLimit + " (expected: >= 1)");
        }
        if (maxLimit < minLimit) {
            throw new IllegalArgumentException("max_limit: " + maxLimit + " (expected: >= min_limit, " + minLimit + ")");
        }
        if (initialLimit < minLimit || initialLimit > maxLimit) {
            throw new IllegalArgumentException("initial_limit: " + initialLimit + " (expected: between min_limit and max_limit, "
                    + minLimit + ".." + maxLimit + ")");
        }
        if (queueSize < 0) {
            throw new IllegalArgumentException("queue_size: " + queueSize + " (expected: >= 0)");
        }
        if (queueTimeout.isNegative() || (queueSize > 0 && queueTimeout.isZero())) {
            throw new IllegalArgumentException("queue_timeout: " + queueTimeout + " (expected: > 0s when queue_size > 0)");
        }
        if (retryAfter.isNegative() || retryAfter.isZero()) {
            throw new IllegalArgumentException("retry_after: " + retryAfter + " (expected: > 0s)");
        }
        for (String p : exemptPaths) {
            if (!p.startsWith("/")) {
                throw new IllegalArgumentException("exempt_paths: '" + p + "' (expected: a path prefix, starts with /)");
            }
        }
        if (!(backoffRatio >= 0.5 && backoffRatio < 1.0)) {
            throw new IllegalArgumentException("backoff_ratio: " + backoffRatio + " (expected: 0.5 <= ratio < 1)");
        }
        if (maxLatency.isNegative() || maxLatency.isZero()) {
            throw new IllegalArgumentException("max_latency: " + maxLatency + " (expected: > 0s)");
        }
        return this;
    }

    /** {@code Retry-After} in whole seconds, rounded up. */
    int retryAfterSeconds() {
        long s = retryAfter.toSeconds() + (retryAfter.toNanosPart() > 0 ? 1 : 0);
        return (int) Math.min(Integer.MAX_VALUE, s);
    }
}
