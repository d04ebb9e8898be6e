package dev.strata.gateway.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ConsistentHashPolicyTest {

    private static final int KEYS = 10_000;

    private static ConsistentHashPolicy newPolicy() {
        return new ConsistentHashPolicy(new LeastRequestPolicy(new Random(7)::nextInt));
    }

    private static String key(int i) {
        return "/links/" + Integer.toString(i * 7919, 36);
    }

    private static Map<String, String> placement(LoadBalancer balancer, List<FakeTarget> candidates) {
        Map<String, String> placement = new HashMap<>();
        for (int i = 0; i < KEYS; i++) {
            placement.put(key(i), balancer.pick(candidates, key(i)).id());
        }
        return placement;
    }

    @Test
    void theSameKeyGoesToTheSameEndpoint() {
        List<FakeTarget> targets = FakeTarget.named(5);
        LoadBalancer balancer = newPolicy();
        FakeTarget first = balancer.pick(targets, "user-17");
        targets.forEach(target -> target.inFlight = 10);
        first.inFlight = 10_000;
        for (int i = 0; i < 100; i++) {
            assertThat(balancer.pick(targets, "user-17")).isSameAs(first);
        }
    }

    @Test
    void placementDoesNotDependOnCandidateOrderOrOnTheInstance() {
        List<FakeTarget> targets = FakeTarget.named(10);
        Map<String, String> before = placement(newPolicy(), targets);
        List<FakeTarget> shuffled = new ArrayList<>(targets);
        Collections.shuffle(shuffled, new Random(3));
        assertThat(placement(newPolicy(), shuffled)).isEqualTo(before);
    }

    @Test
    void keysSpreadEvenly() {
        List<FakeTarget> targets = FakeTarget.named(10);
        Map<String, Integer> counts = new HashMap<>();
        placement(newPolicy(), targets).values().forEach(id -> counts.merge(id, 1, Integer::sum));
        assertThat(counts).hasSize(10);
        assertThat(counts.values()).allSatisfy(count -> assertThat(count).isBetween(600, 1_400));
    }

    @Test
    void removingAnEndpointMovesOnlyItsOwnKeys() {
        List<FakeTarget> targets = FakeTarget.named(10);
        FakeTarget leaving = targets.get(4);
        List<FakeTarget> remaining = new ArrayList<>(targets);
        remaining.remove(leaving);

        ConsistentHashPolicy balancer = newPolicy();
        Map<String, String> before = placement(balancer, targets);
        Map<String, String> walked = placement(balancer, remaining);
        assertThat(balancer.ringSize()).as("a subset walks the ring, no rebuild").isEqualTo(10);
        Map<String, String> rebuilt = placement(newPolicy(), remaining);
        assertThat(walked).isEqualTo(rebuilt);

        int moved = 0;
        for (Map.Entry<String, String> entry : before.entrySet()) {
            String now = walked.get(entry.getKey());
            if (entry.getValue().equals(leaving.id())) {
                assertThat(now).isNotEqualTo(leaving.id());
                moved++;
            } else {
                assertThat(now).as(entry.getKey()).isEqualTo(entry.getValue());
            }
        }
        assertThat(moved / (double) KEYS).isCloseTo(0.1, within(0.04));
    }

    @Test
    void addingAnEndpointMovesOnlyKeysToIt() {
        List<FakeTarget> targets = FakeTarget.named(11);
        FakeTarget joining = targets.get(10);
        ConsistentHashPolicy balancer = newPolicy();
        Map<String, String> before = placement(balancer, targets.subList(0, 10));
        Map<String, String> after = placement(balancer, targets);
        assertThat(balancer.ringSize()).isEqualTo(11);

        int moved = 0;
        for (Map.Entry<String, String> entry : before.entrySet()) {
            String now = after.get(entry.getKey());
            if (!now.equals(entry.getValue())) {
                assertThat(now).isEqualTo(joining.id());
                moved++;
            }
        }
        assertThat(moved / (double) KEYS).isCloseTo(1 / 11.0, within(0.04));
    }

    @Test
    void aRetryWithoutTheTriedEndpointGoesToTheNextOnTheRing() {
        List<FakeTarget> targets = FakeTarget.named(3);
        ConsistentHashPolicy balancer = newPolicy();
        FakeTarget tried = balancer.pick(targets, "session-9");
        List<FakeTarget> others = new ArrayList<>(targets);
        others.remove(tried);
        FakeTarget retry = balancer.pick(others, "session-9");
        assertThat(retry).isNotSameAs(tried);
        assertThat(balancer.pick(others, "session-9")).isSameAs(retry);
        assertThat(balancer.pick(List.of(retry), "session-9")).isSameAs(retry);
        assertThat(balancer.ringSize()).isEqualTo(3);
        assertThat(balancer.pick(targets, "session-9")).isSameAs(tried);
    }

    @Test
    void requestsWithoutAKeySpreadByLoad() {
        List<FakeTarget> targets = FakeTarget.named(3);
        targets.get(0).inFlight = 100;
        LoadBalancer balancer = newPolicy();
        int[] picks = new int[3];
        for (int i = 0; i < 3_000; i++) {
            picks[targets.indexOf(balancer.pick(targets, null))]++;
        }
        assertThat(picks[0]).isZero();
        assertThat(picks[1]).isBetween(1_200, 1_800);
    }

    @Test
    void weightDoesNotMoveKeys() {
        List<FakeTarget> targets = FakeTarget.named(5);
        LoadBalancer balancer = newPolicy();
        Map<String, String> before = placement(balancer, targets);
        targets.get(2).weight = 0.1;
        assertThat(placement(balancer, targets)).isEqualTo(before);
    }

    @Test
    void theHashMixesSimilarInputs() {
        long a = Hashing.hash64("10.0.0.1:8080#1");
        long b = Hashing.hash64("10.0.0.1:8080#2");
        assertThat(Long.bitCount(a ^ b)).isBetween(16, 48);
        assertThat(Hashing.hash64("")).isNotEqualTo(Hashing.hash64("\0"));
    }
}
