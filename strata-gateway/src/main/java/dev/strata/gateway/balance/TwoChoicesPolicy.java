package dev.strata.gateway.balance;

import java.util.List;
import java.util.function.IntUnaryOperator;

/**
 * Power of two choices: draws two distinct candidates at random and keeps the less loaded one.
 *
 * <h2>Design notes</h2>
 *
 * <h3>Why two random candidates and not the least loaded of all</h3>
 * Every event loop picks concurrently from load values that lag behind the truth. Choosing the global
 * minimum would send each burst to the same endpoint until its counters catch up (herding). Two
 * random candidates keep most of the benefit (the maximum load drops from {@code log n / log log n}
 * to {@code log log n}) while different pickers spread over different pairs. It also costs two reads
 * per pick instead of {@code n}.
 *
 * <h3>Invariant</h3>
 * The two indices are distinct whenever there are two candidates, so the most loaded endpoint of a
 * group never wins a comparison it is in unless it ties; with one candidate, that one is returned.
 */
abstract class TwoChoicesPolicy implements LoadBalancer {

    /** Below this, a weight is treated as this: a zero weight must not divide by zero. */
    static final double MIN_WEIGHT = 1e-3;

    private final IntUnaryOperator random;

    TwoChoicesPolicy(IntUnaryOperator random) {
        this.random = random;
    }

    @Override
    public <T extends Target> T pick(List<T> candidates, String hashKey) {
        int size = candidates.size();
        if (size == 1) {
            return candidates.getFirst();
        }
        int first = random.applyAsInt(size);
        int second = random.applyAsInt(size - 1);
        if (second >= first) {
            second++;
        }
        T a = candidates.get(first);
        T b = candidates.get(second);
        return prefersSecond(a, b) ? b : a;
    }

    /** Whether {@code b} should get the request rather than {@code a}; ties keep {@code a}. */
    abstract boolean prefersSecond(Target a, Target b);

    static double weightOf(Target target) {
        double weight = target.weight();
        return weight >= MIN_WEIGHT ? weight : MIN_WEIGHT;
    }
}
