package dev.strata.gateway.config;

import dev.strata.common.config.Units;
import java.time.Duration;

/** Every timeout of the request path; see {@code strata/defaults/gateway.yaml}. */
public record TimeoutsConfig(Duration headerRead, Duration bodyRead, Duration idle, Duration upstreamConnect,
                             Duration upstreamFirstByte, Duration total, Duration drain) {

    public TimeoutsConfig {
        positive("timeouts.header_read", headerRead);
        positive("timeouts.body_read", bodyRead);
        positive("timeouts.idle", idle);
        positive("timeouts.upstream_connect", upstreamConnect);
        positive("timeouts.upstream_first_byte", upstreamFirstByte);
        positive("timeouts.total", total);
        if (drain == null || drain.isNegative()) {
            throw new IllegalArgumentException("timeouts.drain: " + Units.show(drain) + " (expected: >= 0s)");
        }
    }

    static void positive(String key, Duration d) {
        if (d == null || d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(key + ": " + Units.show(d) + " (expected: > 0s)");
        }
    }
}
