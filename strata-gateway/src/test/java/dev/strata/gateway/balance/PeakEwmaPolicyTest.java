package dev.strata.gateway.balance;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PeakEwmaPolicyTest {

    private static final double MS = 1_000_000;

    private static int[] picks(LoadBalancer balancer, List<FakeTarget> targets, int count) {
        int[] picks = new int[targets.size()];
        for (int i = 0; i < count; i++) {
            picks[targets.indexOf(balancer.pick(targets, null))]++;
        }
        return picks;
    }

    @Test
    void prefersTheLowLatencyEndpoint() {
        List<FakeTarget> targets = FakeTarget.named(3);
        targets.get(0).latencyNanos = 5 * MS;
        targets.get(1).latencyNanos = 6 * MS;
        targets.get(2).latencyNanos = 80 * MS;
        int[] picks = picks(new PeakEwmaPolicy(new Random(1)::nextInt), targets, 3_000);
        assertThat(picks[2]).isZero();
        assertThat(picks[0]).isGreaterThan(picks[1]);
    }

    @Test
    void weighsLatencyByRequestsInFlight() {
        List<FakeTarget> targets = FakeTarget.named(2);
        targets.get(0).latencyNanos = 10 * MS;
        targets.get(0).inFlight = 9;
        targets.get(1).latencyNanos = 50 * MS;
        assertThat(new PeakEwmaPolicy(new Random(1)::nextInt).pick(targets, null)).isSameAs(targets.get(1));
    }

    @Test
    void aSlowEndpointGetsLittleTrafficUnderLoad() {
        List<FakeTarget> targets = FakeTarget.named(3);
        targets.get(0).latencyNanos = 2 * MS;
        targets.get(1).latencyNanos = 2 * MS;
        targets.get(2).latencyNanos = 20 * MS;
        double[] shares = Simulation.shares(
                new PeakEwmaPolicy(new Random(1)::nextInt), targets, new int[] {2, 2, 20}, 3, 5_000);
        assertThat(shares[2]).isLessThan(0.1);
    }

    @Test
    void anUnmeasuredEndpointCompetesOnRequestsInFlight() {
        List<FakeTarget> targets = FakeTarget.named(2);
        targets.get(0).latencyNanos = 0.2 * MS;
        LoadBalancer balancer = new PeakEwmaPolicy(new Random(1)::nextInt);
        targets.get(1).inFlight = 1;
        for (int i = 0; i < 20; i++) {
            assertThat(balancer.pick(targets, null)).isSameAs(targets.get(0));
        }
        targets.get(0).inFlight = 2;
        for (int i = 0; i < 20; i++) {
            assertThat(balancer.pick(targets, null)).isSameAs(targets.get(1));
        }
    }

    @Test
    void unmeasuredEndpointsShareEvenly() {
        List<FakeTarget> targets = FakeTarget.named(4);
        double[] shares = Simulation.shares(
                new PeakEwmaPolicy(new Random(1)::nextInt), targets, new int[] {3, 3, 3, 3}, 4, 2_000);
        for (double share : shares) {
            assertThat(share).isBetween(0.2, 0.3);
        }
    }

    @Test
    void aRampingEndpointCostsMore() {
        List<FakeTarget> targets = FakeTarget.named(2);
        targets.forEach(target -> target.latencyNanos = 10 * MS);
        targets.get(1).weight = 0.1;
        targets.get(0).inFlight = 5;
        assertThat(new PeakEwmaPolicy(new Random(1)::nextInt).pick(targets, null)).isSameAs(targets.get(0));
    }
}
