package dev.strata.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What an endpoint's {@code Strata-Degraded} field may put on the admin API and the dashboard. */
class DegradedFieldTest {

    @Test
    void theFieldIsShownAsPrintableAsciiCutToItsBound() {
        assertThat(HealthChecker.degraded(null)).isNull();
        assertThat(HealthChecker.degraded("database read-only")).isEqualTo("database read-only");
        assertThat(HealthChecker.degraded("db\u0007\u00e9 <b>")).isEqualTo("db?? <b>");
        assertThat(HealthChecker.degraded("x".repeat(10_000))).hasSize(HealthChecker.MAX_DEGRADED);
        assertThat(HealthChecker.degraded("   ")).isEqualTo("degraded");
    }
}
