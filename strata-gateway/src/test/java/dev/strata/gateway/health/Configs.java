package dev.strata.gateway.health;

import java.time.Duration;

/** Health settings for tests: 2 passes heal, 3 failed checks or 5 failed requests take an endpoint out. */
final class Configs {

    static final Duration BASE_EJECTION = Duration.ofSeconds(30);
    static final Duration MAX_EJECTION = Duration.ofSeconds(100);
    static final Duration SLOW_START = Duration.ofSeconds(60);

    private Configs() {}

    static HealthConfig.Active active(boolean enabled) {
        return new HealthConfig.Active(enabled, "/health", Duration.ofSeconds(5), Duration.ofSeconds(1), 2, 3);
    }

    static HealthConfig.Outlier outlier(boolean enabled, int maxEjectedPercent) {
        return new HealthConfig.Outlier(enabled, 5, BASE_EJECTION, MAX_EJECTION, maxEjectedPercent);
    }

    static HealthConfig health(boolean active, boolean outlier, Duration slowStart) {
        return new HealthConfig(active(active), outlier(outlier, 50), slowStart);
    }

    static HealthConfig health() {
        return health(true, true, SLOW_START);
    }
}
