package dev.strata.gateway.health;

import static dev.strata.gateway.health.Configs.BASE_EJECTION;
import static dev.strata.gateway.health.Configs.SLOW_START;
import static dev.strata.gateway.health.Configs.health;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class EndpointHealthTest {

    private final FakeClock clock = new FakeClock();

    private static void fail(EndpointHealth endpoint, int times) {
        for (int i = 0; i < times; i++) {
            endpoint.activeCheck(false);
        }
    }

    private static void pass(EndpointHealth endpoint, int times) {
        for (int i = 0; i < times; i++) {
            endpoint.activeCheck(true);
        }
    }

    @Test
    void startsHealthyAtFullWeight() {
        EndpointHealth endpoint = new EndpointHealth(health(), clock);
        assertThat(endpoint.state()).isEqualTo(HealthState.HEALTHY);
        assertThat(endpoint.eligible()).isTrue();
        assertThat(endpoint.weight()).isEqualTo(1.0);
        assertThat(endpoint.ejections()).isZero();
    }

    @Test
    void unhealthyAfterThresholdFailedChecksInARow() {
        EndpointHealth endpoint = new EndpointHealth(health(), clock);
        fail(endpoint, 2);
        pass(endpoint, 1);
        fail(endpoint, 2);
        assertThat(endpoint.state()).isEqualTo(HealthState.HEALTHY);
        fail(endpoint, 1);
        assertThat(endpoint.state()).isEqualTo(HealthState.UNHEALTHY);
        assertThat(endpoint.eligible()).isFalse();
    }

    @Test
    void healthyAgainAfterThresholdPassesInARowThenRampsUp() {
        EndpointHealth endpoint = new EndpointHealth(health(), clock);
        fail(endpoint, 3);
        pass(endpoint, 1);
        fail(endpoint, 1);
        pass(endpoint, 1);
        assertThat(endpoint.state()).isEqualTo(HealthState.UNHEALTHY);
        clock.advance(Duration.ofSeconds(5));
        pass(endpoint, 1);
        assertThat(endpoint.state()).isEqualTo(HealthState.HEALTHY);

        assertThat(endpoint.weight()).isEqualTo(EndpointHealth.SLOW_START_FLOOR);
        clock.advance(SLOW_START.dividedBy(2));
        assertThat(endpoint.weight()).isCloseTo(0.55, within(1e-9));
        clock.advance(SLOW_START.dividedBy(4));
        assertThat(endpoint.weight()).isCloseTo(0.775, within(1e-9));
        clock.advance(SLOW_START.dividedBy(4));
        assertThat(endpoint.weight()).isEqualTo(1.0);
        clock.advance(Duration.ofDays(1));
        assertThat(endpoint.weight()).isEqualTo(1.0);
    }

    @Test
    void withoutActiveChecksOnlyPassiveEjectionApplies() {
        EndpointHealth endpoint = new EndpointHealth(health(false, true, SLOW_START), clock);
        fail(endpoint, 10);
        assertThat(endpoint.state()).isEqualTo(HealthState.HEALTHY);
        for (int i = 0; i < 4; i++) {
            assertThat(endpoint.record(Outcome.CONNECT_FAILURE)).isFalse();
        }
        assertThat(endpoint.record(Outcome.CONNECT_FAILURE)).isTrue();
    }

    @Test
    void aDegradedAnswerBreaksBothStreaksAndNeverAsksForEjection() {
        EndpointHealth endpoint = new EndpointHealth(health(), clock);
        for (int i = 0; i < 4; i++) {
            endpoint.record(Outcome.GATEWAY_ERROR);
        }
        for (int i = 0; i < 50; i++) {
            assertThat(endpoint.record(Outcome.DEGRADED)).isFalse();
        }
        assertThat(endpoint.gatewayFailureStreak()).isZero();
        assertThat(endpoint.streak5xx()).isZero();
        assertThat(endpoint.state()).isEqualTo(HealthState.HEALTHY);
    }

    @Test
    void gatewayFailuresOfEveryKindAskForEjection() {
        EndpointHealth endpoint = new EndpointHealth(health(), clock);
        assertThat(endpoint.record(Outcome.GATEWAY_ERROR)).isFalse();
        assertThat(endpoint.record(Outcome.CONNECT_FAILURE)).isFalse();
        assertThat(endpoint.record(Outcome.RESET)).isFalse();
        assertThat(endpoint.record(Outcome.TIMEOUT)).isFalse();
        assertThat(endpoint.gatewayFailureStreak()).isEqualTo(4);
        assertThat(endpoint.record(Outcome.SUCCESS)).isFalse();
        assertThat(endpoint.gatewayFailureStreak()).isZero();
        for (int i = 0; i < 4; i++) {
            endpoint.record(Outcome.GATEWAY_ERROR);
        }
        assertThat(endpoint.record(Outcome.TIMEOUT)).isTrue();
        assertThat(endpoint.record(Outcome.TIMEOUT)).as("asks again until ejected").isTrue();
        assertThat(endpoint.state()).as("asking is not ejecting").isEqualTo(HealthState.HEALTHY);
    }

    @Test
    void by5xxAnswersAloneNothingAsksForEjectionByDefault() {
        EndpointHealth endpoint = new EndpointHealth(health(), clock);
        for (int i = 0; i < 100; i++) {
            assertThat(endpoint.record(Outcome.SERVER_ERROR)).isFalse();
        }
        assertThat(endpoint.streak5xx()).as("counted, with no threshold").isEqualTo(100);
        assertThat(endpoint.gatewayFailureStreak()).isZero();
    }

    @Test
    void aServerErrorAnswerBreaksTheGatewayFailureStreak() {
        EndpointHealth endpoint = new EndpointHealth(health(), clock);
        for (int i = 0; i < 4; i++) {
            endpoint.record(Outcome.CONNECT_FAILURE);
        }
        endpoint.record(Outcome.SERVER_ERROR); // it answered: reachable, serving
        for (int i = 0; i < 4; i++) {
            assertThat(endpoint.record(Outcome.RESET)).isFalse();
        }
        assertThat(endpoint.record(Outcome.RESET)).isTrue();
    }

    @Test
    void consecutive5xxCountsEvery5xxAnswerAndNothingElse() {
        EndpointHealth endpoint = new EndpointHealth(new HealthConfig(Configs.active(true), Configs.outlier5xx(3),
                SLOW_START), clock);
        assertThat(endpoint.record(Outcome.SERVER_ERROR)).isFalse();
        assertThat(endpoint.record(Outcome.CONNECT_FAILURE)).as("no answer: neither counts nor breaks").isFalse();
        assertThat(endpoint.record(Outcome.GATEWAY_ERROR)).isFalse();
        assertThat(endpoint.streak5xx()).isEqualTo(2);
        assertThat(endpoint.record(Outcome.SERVER_ERROR)).isTrue();

        endpoint.record(Outcome.SUCCESS);
        assertThat(endpoint.streak5xx()).isZero();
        endpoint.record(Outcome.SERVER_ERROR);
        endpoint.record(Outcome.SERVER_ERROR);
        assertThat(endpoint.record(Outcome.SERVER_ERROR)).isTrue();
        assertThat(endpoint.eject()).isTrue();
        assertThat(endpoint.streak5xx()).as("an ejection starts both streaks over").isZero();
    }

    @Test
    void withBothStreaksOffNothingAsksForEjection() {
        EndpointHealth endpoint = new EndpointHealth(new HealthConfig(Configs.active(true),
                new HealthConfig.Outlier(true, 0, 0, Configs.BASE_EJECTION, Configs.MAX_EJECTION, 50), SLOW_START), clock);
        for (Outcome outcome : Outcome.values()) {
            for (int i = 0; i < 10; i++) {
                assertThat(endpoint.record(outcome)).as("%s", outcome).isFalse();
            }
        }
    }

    @Test
    void aConnectFailureCountsWhileActiveChecksSayHealthy() {
        EndpointHealth endpoint = new EndpointHealth(health(), clock);
        for (int i = 0; i < 4; i++) {
            endpoint.record(Outcome.CONNECT_FAILURE);
            endpoint.activeCheck(true);
        }
        assertThat(endpoint.record(Outcome.CONNECT_FAILURE)).isTrue();
    }

    @Test
    void withoutOutlierDetectionNothingAsksForEjection() {
        EndpointHealth endpoint = new EndpointHealth(health(true, false, SLOW_START), clock);
        for (int i = 0; i < 100; i++) {
            assertThat(endpoint.record(Outcome.GATEWAY_ERROR)).isFalse();
        }
    }

    @Test
    void anEjectionRunsOutByItselfAndTheEndpointRampsUpFromThere() {
        EndpointHealth endpoint = new EndpointHealth(health(), clock);
        assertThat(endpoint.eject()).isTrue();
        assertThat(endpoint.eject()).as("already ejected").isFalse();
        assertThat(endpoint.state()).isEqualTo(HealthState.EJECTED);
        assertThat(endpoint.eligible()).isFalse();
        assertThat(endpoint.ejections()).isEqualTo(1);
        assertThat(endpoint.gatewayFailureStreak()).isZero();

        clock.advance(BASE_EJECTION.minusNanos(1));
        assertThat(endpoint.state()).isEqualTo(HealthState.EJECTED);
        assertThat(endpoint.weight()).isEqualTo(EndpointHealth.SLOW_START_FLOOR);
        clock.advance(Duration.ofNanos(1));
        assertThat(endpoint.state()).isEqualTo(HealthState.HEALTHY);
        assertThat(endpoint.weight()).isEqualTo(EndpointHealth.SLOW_START_FLOOR);
        clock.advance(SLOW_START.dividedBy(3));
        assertThat(endpoint.weight()).isCloseTo(0.4, within(1e-9));
        clock.advance(SLOW_START);
        assertThat(endpoint.weight()).isEqualTo(1.0);
    }

    @Test
    void ejectionsInARowLastLongerUpToTheCap() {
        EndpointHealth endpoint = new EndpointHealth(health(), clock);
        long[] expectedSeconds = {30, 60, 90, 100, 100};
        for (long seconds : expectedSeconds) {
            assertThat(endpoint.eject()).isTrue();
            clock.advance(Duration.ofSeconds(seconds).minusMillis(1));
            assertThat(endpoint.state()).isEqualTo(HealthState.EJECTED);
            clock.advance(Duration.ofMillis(1));
            assertThat(endpoint.state()).isEqualTo(HealthState.HEALTHY);
        }
        assertThat(endpoint.ejections()).isEqualTo(5);
    }

    @Test
    void theEjectionCountDecaysByOnePerCleanBaseEjectionTime() {
        EndpointHealth endpoint = new EndpointHealth(health(), clock);
        endpoint.eject();
        clock.advance(BASE_EJECTION);
        endpoint.eject();
        clock.advance(BASE_EJECTION.multipliedBy(2));
        endpoint.eject();
        clock.advance(BASE_EJECTION.multipliedBy(3));
        assertThat(endpoint.ejections()).isEqualTo(3);

        clock.advance(BASE_EJECTION.minusNanos(1));
        assertThat(endpoint.ejections()).isEqualTo(3);
        clock.advance(Duration.ofNanos(1));
        assertThat(endpoint.ejections()).isEqualTo(2);
        endpoint.eject();
        assertThat(endpoint.ejections()).as("two left, so this is the third").isEqualTo(3);
        clock.advance(BASE_EJECTION.multipliedBy(3).minusNanos(1));
        assertThat(endpoint.state()).isEqualTo(HealthState.EJECTED);
        clock.advance(Duration.ofNanos(1).plus(BASE_EJECTION.multipliedBy(10)));
        assertThat(endpoint.ejections()).isZero();
        endpoint.eject();
        clock.advance(BASE_EJECTION);
        assertThat(endpoint.state()).as("back to the base time").isEqualTo(HealthState.HEALTHY);
    }

    @Test
    void failuresOfRequestsSentBeforeTheEjectionDoNotCount() {
        EndpointHealth endpoint = new EndpointHealth(health(), clock);
        endpoint.eject();
        for (int i = 0; i < 10; i++) {
            assertThat(endpoint.record(Outcome.RESET)).isFalse();
        }
        clock.advance(BASE_EJECTION);
        assertThat(endpoint.gatewayFailureStreak()).isZero();
        for (int i = 0; i < 4; i++) {
            assertThat(endpoint.record(Outcome.RESET)).isFalse();
        }
        assertThat(endpoint.record(Outcome.RESET)).isTrue();
    }

    @Test
    void unhealthyWinsOverEjectedAndAnEndpointHealedDuringItsEjectionRampsFromItsEnd() {
        EndpointHealth endpoint = new EndpointHealth(health(), clock);
        endpoint.eject();
        fail(endpoint, 3);
        assertThat(endpoint.state()).isEqualTo(HealthState.UNHEALTHY);
        clock.advance(BASE_EJECTION.dividedBy(2));
        pass(endpoint, 2);
        assertThat(endpoint.state()).isEqualTo(HealthState.EJECTED);
        clock.advance(BASE_EJECTION.dividedBy(2));
        assertThat(endpoint.state()).isEqualTo(HealthState.HEALTHY);
        assertThat(endpoint.weight()).isEqualTo(EndpointHealth.SLOW_START_FLOOR);
    }

    @Test
    void anEjectionOutlastingUnhealthinessStillHolds() {
        EndpointHealth endpoint = new EndpointHealth(health(), clock);
        fail(endpoint, 3);
        endpoint.eject();
        pass(endpoint, 2);
        assertThat(endpoint.state()).isEqualTo(HealthState.EJECTED);
    }

    @Test
    void withoutSlowStartTheWeightIsAlwaysFull() {
        EndpointHealth endpoint = new EndpointHealth(health(true, true, Duration.ZERO), clock);
        endpoint.eject();
        clock.advance(BASE_EJECTION);
        assertThat(endpoint.weight()).isEqualTo(1.0);
        fail(endpoint, 3);
        pass(endpoint, 2);
        assertThat(endpoint.weight()).isEqualTo(1.0);
    }

    @Test
    void anEndpointAddedToARunningGroupRampsUp() {
        EndpointHealth endpoint = new EndpointHealth(health(), clock);
        endpoint.startSlowStart();
        assertThat(endpoint.weight()).isEqualTo(EndpointHealth.SLOW_START_FLOOR);
        clock.advance(SLOW_START);
        assertThat(endpoint.weight()).isEqualTo(1.0);
    }

    @Test
    void worksWhenTheClockCrossesLongOverflow() {
        FakeClock nearOverflow = new FakeClock(Long.MAX_VALUE - BASE_EJECTION.toNanos() / 2);
        EndpointHealth endpoint = new EndpointHealth(health(), nearOverflow);
        assertThat(endpoint.weight()).isEqualTo(1.0);
        endpoint.eject();
        assertThat(endpoint.state()).isEqualTo(HealthState.EJECTED);
        nearOverflow.advance(BASE_EJECTION);
        assertThat(nearOverflow.getAsLong()).isNegative();
        assertThat(endpoint.state()).isEqualTo(HealthState.HEALTHY);
        nearOverflow.advance(SLOW_START.dividedBy(2));
        assertThat(endpoint.weight()).isCloseTo(0.55, within(1e-9));
    }

    @Test
    void aLongMaxEjectionIsCappedSafely() {
        HealthConfig config = new HealthConfig(Configs.active(true),
                new HealthConfig.Outlier(true, 0, 1, Duration.ofSeconds(1), Duration.ofDays(10_000), 100), SLOW_START);
        EndpointHealth endpoint = new EndpointHealth(config, clock);
        endpoint.eject();
        clock.advance(Duration.ofSeconds(1));
        assertThat(endpoint.state()).isEqualTo(HealthState.HEALTHY);
    }

    @Test
    void reconfigureKeepsTheStateAndAppliesTheNewSettings() {
        EndpointHealth endpoint = new EndpointHealth(health(), clock);
        fail(endpoint, 3);
        assertThat(endpoint.state()).isEqualTo(HealthState.UNHEALTHY);
        endpoint.reconfigure(health(true, true, Duration.ZERO));
        assertThat(endpoint.state()).as("the verdict survives").isEqualTo(HealthState.UNHEALTHY);
        endpoint.reconfigure(health(false, true, Duration.ZERO));
        assertThat(endpoint.state()).as("with active checks off, their verdict no longer counts")
                .isEqualTo(HealthState.HEALTHY);

        EndpointHealth fresh = new EndpointHealth(health(true, true, SLOW_START), clock);
        fail(fresh, 1);
        fresh.reconfigure(new HealthConfig(new HealthConfig.Active(true, "/healthz", Duration.ofSeconds(1),
                Duration.ofSeconds(1), 1, 1), Configs.outlier(true, 50), SLOW_START));
        fail(fresh, 1);
        assertThat(fresh.state()).as("the new threshold of one failed check applies").isEqualTo(HealthState.UNHEALTHY);
    }
}
