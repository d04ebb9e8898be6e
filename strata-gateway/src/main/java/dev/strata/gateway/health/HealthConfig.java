package dev.strata.gateway.health;

import java.time.Duration;

/**
 * A group's {@code health:} settings.
 *
 * @param active    active HTTP checks
 * @param outlier   passive outlier detection
 * @param slowStart how long a (re)admitted endpoint takes to ramp from a small share to a full share
 *                  of traffic; {@code 0s} turns slow start off
 */
public record HealthConfig(Active active, Outlier outlier, Duration slowStart) {

    /**
     * @param enabled            whether checks run at all
     * @param path               request path of the check ({@code GET}); any 2xx or 3xx passes
     * @param interval           time between two checks of one endpoint
     * @param timeout            a check without a response within this fails
     * @param healthyThreshold   consecutive passes that make an unhealthy endpoint healthy
     * @param unhealthyThreshold consecutive failures that make a healthy endpoint unhealthy
     */
    public record Active(boolean enabled, String path, Duration interval, Duration timeout,
                         int healthyThreshold, int unhealthyThreshold) {}

    /**
     * @param enabled             whether passive detection runs
     * @param consecutiveFailures consecutive 5xx, connect failures, resets or timeouts that eject
     * @param baseEjection        first ejection time; the n-th ejection in a row lasts n times as long
     * @param maxEjection         cap of one ejection's time
     * @param maxEjectedPercent   never eject more than this share of a group's endpoints (at least one
     *                            endpoint may always be ejected)
     */
    public record Outlier(boolean enabled, int consecutiveFailures, Duration baseEjection,
                          Duration maxEjection, int maxEjectedPercent) {}
}
