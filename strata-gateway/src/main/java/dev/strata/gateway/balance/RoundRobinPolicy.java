package dev.strata.gateway.balance;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code round-robin}: the candidates in turn, a ramping endpoint skipping a share of its turns.
 *
 * <h2>Design notes</h2>
 *
 * <h3>Rotation</h3>
 * One shared counter numbers the turns; turn {@code p} goes to candidate {@code p mod n} in round
 * {@code p / n}. Candidate lists may differ between requests (a retry excludes the endpoint it
 * tried); the rotation then continues over the shorter list, which keeps shares even.
 *
 * <h3>Weight without per-endpoint state</h3>
 * Smooth weighted round-robin keeps a running score per endpoint and needs a lock to update it, and
 * slow-start weights change continuously. Instead, a candidate with relative weight {@code w} (its
 * weight divided by the largest weight among the candidates) takes its turn only in rounds {@code r}
 * where {@code floor((r + 1) * w) > floor(r * w)}: exactly a share {@code w} of the rounds, evenly
 * spaced. A skipped turn passes to the next position of the counter, so the others share it evenly.
 * The candidate with the largest weight never skips, so a pick ends within {@code n} turns.
 *
 * <h3>Cost</h3>
 * While no candidate ramps, a pick is one increment and one weight read. The largest weight is looked
 * up (one pass over the candidates) only when a turn is about to be skipped.
 */
final class RoundRobinPolicy implements LoadBalancer {

    private final AtomicLong nextTurn = new AtomicLong();

    @Override
    public <T extends Target> T pick(List<T> candidates, String hashKey) {
        int size = candidates.size();
        if (size == 1) {
            return candidates.getFirst();
        }
        double maxWeight = Double.NaN;
        for (int attempt = 0; ; attempt++) {
            long turn = nextTurn.getAndIncrement() & Long.MAX_VALUE;
            T candidate = candidates.get((int) (turn % size));
            double weight = candidate.weight();
            if (weight >= 1 || attempt >= size) {
                return candidate;
            }
            if (Double.isNaN(maxWeight)) {
                maxWeight = maxWeight(candidates);
            }
            if (weight >= maxWeight || takesTurn(turn / size, weight / maxWeight)) {
                return candidate;
            }
        }
    }

    /** Whether a candidate of relative weight {@code share} in (0, 1) takes its turn in {@code round}. */
    static boolean takesTurn(long round, double share) {
        return Math.floor((round + 1) * share) > Math.floor(round * share);
    }

    private static double maxWeight(List<? extends Target> candidates) {
        double max = TwoChoicesPolicy.MIN_WEIGHT;
        for (int i = 0, size = candidates.size(); i < size; i++) {
            max = Math.max(max, candidates.get(i).weight());
        }
        return max;
    }
}
