package dev.strata.gateway.health;

import static dev.strata.gateway.health.Configs.BASE_EJECTION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class OutlierDetectorTest {

    private final FakeClock clock = new FakeClock();

    private List<EndpointHealth> group(int size) {
        List<EndpointHealth> group = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            group.add(new EndpointHealth(Configs.health(), clock));
        }
        return group;
    }

    /** Fails {@code endpoint} until the detector ejects it or refuses five more times; returns whether it ejected. */
    private static boolean failUntilEjected(OutlierDetector detector, EndpointHealth endpoint) {
        for (int i = 0; i < 10; i++) {
            if (detector.record(endpoint, Outcome.GATEWAY_ERROR)) {
                return true;
            }
        }
        return false;
    }

    @Test
    void ejectsOnTheThresholdFailureAndCountsIt() {
        List<EndpointHealth> group = group(4);
        OutlierDetector detector = new OutlierDetector(Configs.outlier(true, 50), group);
        EndpointHealth endpoint = group.getFirst();
        for (int i = 0; i < 4; i++) {
            assertThat(detector.record(endpoint, Outcome.GATEWAY_ERROR)).isFalse();
        }
        assertThat(detector.record(endpoint, Outcome.GATEWAY_ERROR)).isTrue();
        assertThat(endpoint.state()).isEqualTo(HealthState.EJECTED);
        assertThat(detector.record(endpoint, Outcome.GATEWAY_ERROR)).isFalse();
        assertThat(detector.ejectionsTotal()).isEqualTo(1);
        assertThat(detector.ejectedNow()).isEqualTo(1);
    }

    @Test
    void successesKeepTheStreakShort() {
        List<EndpointHealth> group = group(2);
        OutlierDetector detector = new OutlierDetector(Configs.outlier(true, 50), group);
        for (int i = 0; i < 100; i++) {
            assertThat(detector.record(group.getFirst(), i % 4 == 3 ? Outcome.SUCCESS : Outcome.TIMEOUT)).isFalse();
        }
    }

    @Test
    void neverEjectsMoreThanTheMaxEjectedPercent() {
        List<EndpointHealth> group = group(10);
        OutlierDetector detector = new OutlierDetector(Configs.outlier(true, 20), group);
        assertThat(failUntilEjected(detector, group.get(0))).isTrue();
        assertThat(failUntilEjected(detector, group.get(1))).isTrue();
        assertThat(failUntilEjected(detector, group.get(2))).isFalse();
        assertThat(group.get(2).state()).isEqualTo(HealthState.HEALTHY);
        assertThat(detector.ejectedNow()).isEqualTo(2);

        clock.advance(BASE_EJECTION);
        assertThat(detector.ejectedNow()).isZero();
        assertThat(detector.record(group.get(2), Outcome.GATEWAY_ERROR))
                .as("the refused ejection happens on the next failure once there is room").isTrue();
        assertThat(detector.ejectionsTotal()).isEqualTo(3);
    }

    @Test
    void atLeastOneEndpointMayAlwaysBeEjected() {
        List<EndpointHealth> group = group(3);
        OutlierDetector detector = new OutlierDetector(Configs.outlier(true, 0), group);
        assertThat(detector.maxEjected(3)).isEqualTo(1);
        assertThat(failUntilEjected(detector, group.get(0))).isTrue();
        assertThat(failUntilEjected(detector, group.get(1))).isFalse();
    }

    @Test
    void theSoleEndpointOfAGroupIsNeverEjected() {
        List<EndpointHealth> group = group(1);
        OutlierDetector detector = new OutlierDetector(Configs.outlier(true, 100), group);
        assertThat(failUntilEjected(detector, group.getFirst())).isFalse();
        assertThat(group.getFirst().eligible()).isTrue();
        assertThat(detector.ejectionsTotal()).isZero();
    }

    @Test
    void theLastEligibleEndpointIsNotEjectedUntilAnotherIsEligibleAgain() {
        List<EndpointHealth> group = group(2);
        OutlierDetector detector = new OutlierDetector(Configs.outlier(true, 100), group);
        assertThat(failUntilEjected(detector, group.get(0))).isTrue();
        assertThat(failUntilEjected(detector, group.get(1))).as("the last eligible one").isFalse();
        assertThat(group.get(1).eligible()).isTrue();

        clock.advance(BASE_EJECTION);
        assertThat(group.get(0).eligible()).isTrue();
        assertThat(detector.record(group.get(1), Outcome.TIMEOUT))
                .as("its streak asks again, and now there is another eligible endpoint").isTrue();
        assertThat(group.get(1).state()).isEqualTo(HealthState.EJECTED);
    }

    @Test
    void anEndpointThatActiveChecksHoldUnhealthyIsNotEligible() {
        List<EndpointHealth> group = group(2);
        OutlierDetector detector = new OutlierDetector(Configs.outlier(true, 100), group);
        for (int i = 0; i < 3; i++) {
            group.get(0).activeCheck(false);
        }
        assertThat(group.get(0).state()).isEqualTo(HealthState.UNHEALTHY);
        assertThat(failUntilEjected(detector, group.get(1))).isFalse();
        assertThat(detector.ejectedNow()).isZero();
    }

    @Test
    void theCapFollowsTheGroupSize() {
        OutlierDetector detector = new OutlierDetector(Configs.outlier(true, 50), List.of());
        assertThat(detector.maxEjected(1)).isEqualTo(1);
        assertThat(detector.maxEjected(3)).isEqualTo(1);
        assertThat(detector.maxEjected(4)).isEqualTo(2);
        assertThat(new OutlierDetector(Configs.outlier(true, 100), List.of()).maxEjected(7)).isEqualTo(7);
    }

    @Test
    void unhealthyEndpointsDoNotCountTowardTheCap() {
        List<EndpointHealth> group = group(3);
        OutlierDetector detector = new OutlierDetector(Configs.outlier(true, 50), group);
        for (int i = 0; i < 3; i++) {
            group.get(0).activeCheck(false);
        }
        assertThat(failUntilEjected(detector, group.get(1))).isTrue();
    }

    @Test
    void whenDisabledNothingIsEjected() {
        List<EndpointHealth> group = group(2);
        OutlierDetector detector = new OutlierDetector(Configs.outlier(false, 50), group);
        assertThat(failUntilEjected(detector, group.getFirst())).isFalse();
        assertThat(detector.ejectionsTotal()).isZero();
    }

    @Test
    void membersThatLeftTheGroupAreNotEjected() {
        List<EndpointHealth> group = group(3);
        OutlierDetector detector = new OutlierDetector(Configs.outlier(true, 50), group);
        EndpointHealth leaving = group.get(2);
        detector.updateGroup(group.subList(0, 2));
        assertThat(failUntilEjected(detector, leaving)).isFalse();

        EndpointHealth joining = new EndpointHealth(Configs.health(), clock);
        detector.updateGroup(List.of(group.get(0), group.get(1), joining));
        assertThat(failUntilEjected(detector, joining)).isTrue();
        assertThat(detector.ejectionsTotal()).isEqualTo(1);
    }

    @Test
    void concurrentFailuresEjectOnceAndRespectTheCap() throws Exception {
        List<EndpointHealth> group = group(4);
        OutlierDetector detector = new OutlierDetector(Configs.outlier(true, 25), group);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(threads.submit(() -> {
                    start.await();
                    int ejected = 0;
                    for (int i = 0; i < 20_000; i++) {
                        if (detector.record(group.get(i % 4), Outcome.CONNECT_FAILURE)) {
                            ejected++;
                        }
                    }
                    return ejected;
                }));
            }
            start.countDown();
            int ejected = 0;
            for (Future<Integer> result : results) {
                ejected += result.get(10, TimeUnit.SECONDS);
            }
            assertThat(ejected).isEqualTo(1);
            assertThat(detector.ejectionsTotal()).isEqualTo(1);
            assertThat(detector.ejectedNow()).isEqualTo(1);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void concurrentFailuresNeverEjectTheLastEligibleEndpoint() throws Exception {
        List<EndpointHealth> group = group(2);
        OutlierDetector detector = new OutlierDetector(Configs.outlier(true, 100), group);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(threads.submit(() -> {
                    start.await();
                    for (int i = 0; i < 20_000; i++) {
                        detector.record(group.get(i % 2), Outcome.RESET);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> result : results) {
                result.get(10, TimeUnit.SECONDS);
            }
            assertThat(detector.ejectionsTotal()).isEqualTo(1);
            assertThat(group).filteredOn(EndpointHealth::eligible).hasSize(1);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void copiesTheGroup() {
        List<EndpointHealth> group = group(2);
        OutlierDetector detector = new OutlierDetector(Configs.outlier(true, 50), group);
        EndpointHealth added = new EndpointHealth(Configs.health(), clock);
        group.add(added);
        assertThat(failUntilEjected(detector, added)).isFalse();
        assertThatThrownBy(() -> new OutlierDetector(null, group)).isInstanceOf(NullPointerException.class);
    }
}
