package dev.strata.gateway.health;

import java.util.List;

/**
 * Passive outlier detection for one upstream group: turns per-endpoint failure streaks into
 * ejections while keeping the share of ejected endpoints under {@code max_ejected_percent}.
 *
 * <p>PLACEHOLDER: the real detector replaces this class; the public methods stay.
 */
public final class OutlierDetector {

    public OutlierDetector(HealthConfig.Outlier config, List<EndpointHealth> group) {
    }

    /** Records one request's outcome on {@code endpoint}; returns whether the endpoint was ejected by it. */
    public boolean record(EndpointHealth endpoint, Outcome outcome) {
        return endpoint.record(outcome) && false;
    }

    /** Total ejections so far, for metrics. */
    public long ejectionsTotal() {
        return 0;
    }
}
