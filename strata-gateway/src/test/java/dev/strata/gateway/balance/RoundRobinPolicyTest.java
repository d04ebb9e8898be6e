package dev.strata.gateway.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class RoundRobinPolicyTest {

    private static double[] shares(LoadBalancer balancer, List<FakeTarget> targets, int picks) {
        int[] counts = new int[targets.size()];
        for (int i = 0; i < picks; i++) {
            counts[targets.indexOf(balancer.pick(targets, null))]++;
        }
        double[] shares = new double[counts.length];
        for (int i = 0; i < counts.length; i++) {
            shares[i] = counts[i] / (double) picks;
        }
        return shares;
    }

    @Test
    void rotatesInOrderWithExactlyEvenShares() {
        List<FakeTarget> targets = FakeTarget.named(3);
        LoadBalancer balancer = new RoundRobinPolicy();
        assertThat(List.of(balancer.pick(targets, null), balancer.pick(targets, null), balancer.pick(targets, null)))
                .containsExactlyElementsOf(targets);
        assertThat(shares(balancer, targets, 30_000)).containsExactly(1 / 3.0, 1 / 3.0, 1 / 3.0);
    }

    @Test
    void ignoresLoad() {
        List<FakeTarget> targets = FakeTarget.named(2);
        targets.get(0).inFlight = 100;
        assertThat(shares(new RoundRobinPolicy(), targets, 1_000)).containsExactly(0.5, 0.5);
    }

    @Test
    void aRampingEndpointGetsItsWeightShareOfTurns() {
        List<FakeTarget> targets = FakeTarget.named(3);
        targets.get(2).weight = 0.5;
        assertThat(shares(new RoundRobinPolicy(), targets, 50_000))
                .containsExactly(new double[] {0.4, 0.4, 0.2}, within(0.002));
    }

    @Test
    void weightsAreRelativeToTheLargest() {
        List<FakeTarget> targets = FakeTarget.named(4);
        targets.forEach(target -> target.weight = 0.1);
        assertThat(shares(new RoundRobinPolicy(), targets, 40_000))
                .containsExactly(new double[] {0.25, 0.25, 0.25, 0.25}, within(0.002));

        targets.get(3).weight = 0.05;
        assertThat(shares(new RoundRobinPolicy(), targets, 70_000))
                .containsExactly(new double[] {2 / 7.0, 2 / 7.0, 2 / 7.0, 1 / 7.0}, within(0.002));
    }

    @Test
    void aShorterCandidateListKeepsTheRotationEven() {
        List<FakeTarget> targets = FakeTarget.named(3);
        LoadBalancer balancer = new RoundRobinPolicy();
        balancer.pick(targets, null);
        assertThat(shares(balancer, targets.subList(1, 3), 1_000)).containsExactly(0.5, 0.5);
    }

    @Test
    void takesTurnInExactlyTheShareOfRounds() {
        for (double share : new double[] {0.1, 0.25, 1 / 3.0, 0.5, 0.9}) {
            int turns = 0;
            for (long round = 0; round < 10_000; round++) {
                if (RoundRobinPolicy.takesTurn(round, share)) {
                    turns++;
                }
            }
            assertThat(turns / 10_000.0).isCloseTo(share, within(1e-3));
        }
    }
}
