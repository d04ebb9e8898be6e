package dev.strata.gateway.config;

import java.time.Duration;

/** Every timeout of the request path; see {@code strata/defaults/gateway.yaml}. */
public record TimeoutsConfig(Duration headerRead, Duration bodyRead, Duration idle, Duration upstreamConnect,
                             Duration upstreamFirstByte, Duration total, Duration drain) {

    public TimeoutsConfig {
        positive("header_read", headerRead);
        positive("body_read", bodyRead);
        positive("idle", idle);
        positive("upstream_connect", upstreamConnect);
        positive("upstream_first_byte", upstreamFirstByte);
        positive("total", total);
        if (drain == null || drain.isNegative()) {
            throw new IllegalArgumentException("timeouts.drain: " + drain + " (expected: >= 0s)");
        }
    }

    static void positive(String key, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException("timeouts." + key + ": " + d + " (expected: > 0s)");
        }
    }
}
