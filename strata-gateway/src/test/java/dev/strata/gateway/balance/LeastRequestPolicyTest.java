package dev.strata.gateway.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Random;
import java.util.function.IntUnaryOperator;
import org.junit.jupiter.api.Test;

class LeastRequestPolicyTest {

    private static IntUnaryOperator seeded() {
        return new Random(42)::nextInt;
    }

    @Test
    void aSingleCandidateIsPicked() {
        FakeTarget only = new FakeTarget("a:1");
        only.inFlight = 1_000;
        assertThat(new LeastRequestPolicy(seeded()).pick(List.of(only), null)).isSameAs(only);
    }

    @Test
    void theMostLoadedEndpointNeverWinsAComparison() {
        List<FakeTarget> targets = FakeTarget.named(3);
        targets.get(0).inFlight = 2;
        targets.get(1).inFlight = 3;
        targets.get(2).inFlight = 50;
        LoadBalancer balancer = new LeastRequestPolicy(seeded());
        int[] picks = new int[3];
        for (int i = 0; i < 3_000; i++) {
            picks[targets.indexOf(balancer.pick(targets, null))]++;
        }
        assertThat(picks[2]).isZero();
        // The least loaded wins both of the pairs it is in: about two thirds of the picks.
        assertThat(picks[0] / 3_000.0).isCloseTo(2 / 3.0, within(0.05));
    }

    @Test
    void twoCandidatesAreAlwaysCompared() {
        List<FakeTarget> targets = FakeTarget.named(2);
        targets.get(0).inFlight = 1;
        LoadBalancer balancer = new LeastRequestPolicy(seeded());
        for (int i = 0; i < 100; i++) {
            assertThat(balancer.pick(targets, null)).isSameAs(targets.get(1));
        }
    }

    @Test
    void aSlowEndpointGetsMarkedlyLessThanUnderRoundRobin() {
        int[] serviceTicks = {2, 2, 20};
        double[] roundRobin = Simulation.shares(new RoundRobinPolicy(), FakeTarget.named(3), serviceTicks, 3, 5_000);
        double[] leastRequest = Simulation.shares(
                new LeastRequestPolicy(seeded()), FakeTarget.named(3), serviceTicks, 3, 5_000);

        assertThat(roundRobin[2]).isCloseTo(1 / 3.0, within(0.01));
        assertThat(leastRequest[2]).isLessThan(roundRobin[2] / 2);
        assertThat(leastRequest[0]).isCloseTo(leastRequest[1], within(0.05));
    }

    @Test
    void aRampingEndpointGetsLessThanItsPeers() {
        List<FakeTarget> targets = FakeTarget.named(3);
        targets.get(2).weight = 0.25;
        double[] shares = Simulation.shares(new LeastRequestPolicy(seeded()), targets, new int[] {4, 4, 4}, 3, 5_000);
        assertThat(shares[2]).isLessThan(shares[0] / 2).isLessThan(shares[1] / 2).isGreaterThan(0.0);
    }

    @Test
    void aZeroWeightDoesNotBreakTheComparison() {
        List<FakeTarget> targets = FakeTarget.named(2);
        targets.get(0).weight = 0;
        targets.get(1).inFlight = 5;
        assertThat(new LeastRequestPolicy(seeded()).pick(targets, null)).isSameAs(targets.get(1));
    }

    @Test
    void theDefaultPolicyUsesThreadLocalRandomAndSpreads() {
        List<FakeTarget> targets = FakeTarget.named(4);
        LoadBalancer balancer = LoadBalancer.of(BalanceConfig.DEFAULT);
        assertThat(balancer).isInstanceOf(LeastRequestPolicy.class);
        int[] picks = new int[4];
        for (int i = 0; i < 4_000; i++) {
            picks[targets.indexOf(balancer.pick(targets, null))]++;
        }
        for (int count : picks) {
            assertThat(count).isBetween(700, 1_300);
        }
    }
}
