package dev.strata.gateway.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.common.config.ConfigLoader;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HealthConfigTest {

    private static final Duration S = Duration.ofSeconds(1);

    @Test
    void acceptsSaneValues() {
        assertThat(Configs.health().slowStart()).isEqualTo(Configs.SLOW_START);
        assertThat(new HealthConfig(Configs.active(false), Configs.outlier(false, 0), Duration.ZERO).slowStart())
                .isZero();
    }

    @Test
    void rejectsBadActiveSettings() {
        assertThatThrownBy(() -> new HealthConfig.Active(true, "health", S, S, 1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("active.path: 'health' (expected: starting with /)");
        assertThatThrownBy(() -> new HealthConfig.Active(true, "/h", Duration.ZERO, S, 1, 1))
                .hasMessage("active.interval: 0s (expected: > 0s)");
        assertThatThrownBy(() -> new HealthConfig.Active(true, "/h", S, null, 1, 1))
                .hasMessage("active.timeout: missing (expected: > 0s)");
        assertThatThrownBy(() -> new HealthConfig.Active(true, "/h", S, S, 0, 1))
                .hasMessage("active.healthy_threshold: 0 (expected: > 0)");
        assertThatThrownBy(() -> new HealthConfig.Active(false, "/h", S, S, 1, -2))
                .as("a disabled section is validated too")
                .hasMessage("active.unhealthy_threshold: -2 (expected: > 0)");
    }

    @Test
    void rejectsBadOutlierSettings() {
        assertThatThrownBy(() -> new HealthConfig.Outlier(true, -1, 5, S, S, 10))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("outlier.consecutive_5xx: -1 (expected: >= 0)");
        assertThatThrownBy(() -> new HealthConfig.Outlier(true, 0, -1, S, S, 10))
                .hasMessage("outlier.consecutive_gateway_failure: -1 (expected: >= 0)");
        assertThatThrownBy(() -> new HealthConfig.Outlier(true, 0, 5, Duration.ofSeconds(-1), S, 10))
                .hasMessage("outlier.base_ejection: -1s (expected: > 0s)");
        assertThatThrownBy(() -> new HealthConfig.Outlier(true, 0, 5, Duration.ofSeconds(30), S, 10))
                .hasMessage("outlier.max_ejection: 1s (expected: >= base_ejection, 30s)");
        assertThatThrownBy(() -> new HealthConfig.Outlier(true, 0, 5, S, S, 101))
                .hasMessage("outlier.max_ejected_percent: 101 (expected: 0..100)");
        assertThat(new HealthConfig.Outlier(true, 0, 0, S, S, 10).consecutiveGatewayFailure())
                .as("0 turns a streak off").isZero();
    }

    @Test
    void rejectsBadTopLevelSettings() {
        assertThatThrownBy(() -> new HealthConfig(Configs.active(true), Configs.outlier(true, 10), Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("health.slow_start: -1ms (expected: >= 0s)");
        assertThatThrownBy(() -> new HealthConfig(null, Configs.outlier(true, 10), S))
                .isInstanceOf(NullPointerException.class).hasMessage("active");
    }

    @Test
    void bindsFromYamlWithSnakeCaseKeys() throws Exception {
        ObjectMapper yaml = ConfigLoader.mapper();
        HealthConfig config = yaml.readValue("""
                active: {enabled: true, path: /healthz, interval: 5s, timeout: 1s,
                         healthy_threshold: 2, unhealthy_threshold: 3}
                outlier: {enabled: true, consecutive_5xx: 7, consecutive_gateway_failure: 5, base_ejection: 30s,
                          max_ejection: 5m, max_ejected_percent: 50}
                slow_start: 30s
                """, HealthConfig.class);
        assertThat(config.outlier().maxEjection()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.outlier().consecutive5xx()).isEqualTo(7);
        assertThat(config.outlier().consecutiveGatewayFailure()).isEqualTo(5);
        assertThat(config.active().unhealthyThreshold()).isEqualTo(3);
        assertThat(config.slowStart()).isEqualTo(Duration.ofSeconds(30));

        assertThatThrownBy(() -> yaml.readValue("""
                enabled: true
                consecutive_5xx: -5
                consecutive_gateway_failure: 5
                base_ejection: 30s
                max_ejection: 5m
                max_ejected_percent: 50
                """, HealthConfig.Outlier.class))
                .hasMessageContaining("outlier.consecutive_5xx: -5 (expected: >= 0)");
        assertThatThrownBy(() -> yaml.readValue("""
                enabled: true
                consecutive_failures: 5
                consecutive_5xx: 0
                consecutive_gateway_failure: 5
                base_ejection: 30s
                max_ejection: 5m
                max_ejected_percent: 50
                """, HealthConfig.Outlier.class))
                .as("the key before the split is unknown, not read with another meaning")
                .hasMessageContaining("consecutive_failures");
    }
}
