package dev.strata.gateway.config;

import dev.strata.common.config.Units;
import java.time.Duration;

/**
 * The warm-up before the listeners open: synthetic requests through the gateway's own request path,
 * to an origin inside the process, until the JIT compiler has settled or {@code maxTime} has passed.
 */
public record WarmupConfig(boolean enabled, Duration maxTime) {

    public WarmupConfig {
        if (maxTime == null || maxTime.isNegative() || maxTime.isZero()) {
            throw new IllegalArgumentException("warmup.max_time: " + Units.show(maxTime) + " (expected: > 0s)");
        }
    }
}
