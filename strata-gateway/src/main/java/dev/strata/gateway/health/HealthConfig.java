package dev.strata.gateway.health;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.strata.common.config.Units;
import java.time.Duration;
import java.util.Objects;

/**
 * A group's {@code health:} settings. Every value is validated when the record is built, also in a
 * disabled section, so that a typo fails at load time rather than when the section is turned on.
 *
 * @param active    active HTTP checks
 * @param outlier   passive outlier detection
 * @param slowStart how long a (re)admitted endpoint takes to ramp from a small share to a full share
 *                  of traffic; {@code 0s} turns slow start off
 */
public record HealthConfig(Active active, Outlier outlier, Duration slowStart) {

    public HealthConfig {
        Objects.requireNonNull(active, "active");
        Objects.requireNonNull(outlier, "outlier");
        if (slowStart == null || slowStart.isNegative()) {
            throw new IllegalArgumentException("health.slow_start: " + Units.show(slowStart) + " (expected: >= 0s)");
        }
    }

    /**
     * @param enabled            whether checks run at all
     * @param path               request path of the check ({@code GET}); any 2xx or 3xx passes
     * @param interval           time between two checks of one endpoint
     * @param timeout            a check without a response within this fails
     * @param healthyThreshold   consecutive passes that make an unhealthy endpoint healthy
     * @param unhealthyThreshold consecutive failures that make a healthy endpoint unhealthy
     */
    public record Active(boolean enabled, String path, Duration interval, Duration timeout,
                         int healthyThreshold, int unhealthyThreshold) {

        public Active {
            if (path == null || !path.startsWith("/")) {
                throw new IllegalArgumentException("active.path: '" + path + "' (expected: starting with /)");
            }
            requirePositive("active.interval", interval);
            requirePositive("active.timeout", timeout);
            requirePositive("active.healthy_threshold", healthyThreshold);
            requirePositive("active.unhealthy_threshold", unhealthyThreshold);
        }
    }

    /**
     * Passive outlier detection, split as Envoy splits it: answers that show an endpoint that cannot
     * serve at all, apart from answers that may come from one broken URL of an endpoint that serves
     * everything else.
     *
     * @param enabled                   whether passive detection runs
     * @param consecutive5xx            5xx answers in a row (any status from 500 up) that eject; 0 = off
     * @param consecutiveGatewayFailure connect failures, resets, timeouts and 502/503/504 answers in a row
     *                                  that eject; 0 = off
     * @param baseEjection              first ejection time; the n-th ejection in a row lasts n times as long
     * @param maxEjection               cap of one ejection's time
     * @param maxEjectedPercent         never eject more than this share of a group's endpoints (at least
     *                                  one endpoint may always be ejected, but never the last eligible one)
     */
    public record Outlier(boolean enabled, @JsonProperty("consecutive_5xx") int consecutive5xx,
                          int consecutiveGatewayFailure, Duration baseEjection, Duration maxEjection,
                          int maxEjectedPercent) {

        public Outlier {
            requireNonNegative("outlier.consecutive_5xx", consecutive5xx);
            requireNonNegative("outlier.consecutive_gateway_failure", consecutiveGatewayFailure);
            requirePositive("outlier.base_ejection", baseEjection);
            if (maxEjection == null || maxEjection.compareTo(baseEjection) < 0) {
                throw new IllegalArgumentException("outlier.max_ejection: "
                        + Units.show(maxEjection) + " (expected: >= base_ejection, " + Units.show(baseEjection) + ")");
            }
            if (maxEjectedPercent < 0 || maxEjectedPercent > 100) {
                throw new IllegalArgumentException("outlier.max_ejected_percent: "
                        + maxEjectedPercent + " (expected: 0..100)");
            }
        }
    }

    private static void requirePositive(String name, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + Units.show(value) + " (expected: > 0s)");
        }
    }

    private static void requirePositive(String name, int value) {
        if (value <= 0) {
            throw new IllegalArgumentException(String.format("%s: %s (expected: > 0)", name, value));
        }
    }

    private static void requireNonNegative(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(String.format("%s: %s (expected: >= 0)", name, value));
        }
    }

    /** {@code duration} in nanoseconds, capped so that adding it to a clock reading cannot wrap twice. */
    static long nanos(Duration duration) {
        return duration.compareTo(Duration.ofDays(365)) > 0 ? Duration.ofDays(365).toNanos() : duration.toNanos();
    }
}
