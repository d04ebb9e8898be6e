package dev.strata.gateway.health;

import java.time.Duration;

/**
 * Health settings for tests: 2 passes heal, 3 failed checks or 5 gateway failures in a row take an
 * endpoint out; 5xx answers do not, unless a test turns {@code consecutive_5xx} on.
 */
final class Configs {

    static final Duration BASE_EJECTION = Duration.ofSeconds(30);
    static final Duration MAX_EJECTION = Duration.ofSeconds(100);
    static final Duration SLOW_START = Duration.ofSeconds(60);

    private Configs() {}

    static HealthConfig.Active active(boolean enabled) {
        return new HealthConfig.Active(enabled, "/health", Duration.ofSeconds(5), Duration.ofSeconds(1), 2, 3);
    }

    static HealthConfig.Outlier outlier(boolean enabled, int maxEjectedPercent) {
        return new HealthConfig.Outlier(enabled, 0, 5, BASE_EJECTION, MAX_EJECTION, maxEjectedPercent);
    }

    /** Outlier detection that also ejects after {@code consecutive5xx} 5xx answers in a row. */
    static HealthConfig.Outlier outlier5xx(int consecutive5xx) {
        return new HealthConfig.Outlier(true, consecutive5xx, 5, BASE_EJECTION, MAX_EJECTION, 50);
    }

    static HealthConfig health(boolean active, boolean outlier, Duration slowStart) {
        return new HealthConfig(active(active), outlier(outlier, 50), slowStart);
    }

    static HealthConfig health() {
        return health(true, true, SLOW_START);
    }
}
