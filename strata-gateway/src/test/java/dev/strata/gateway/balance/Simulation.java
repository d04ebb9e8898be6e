package dev.strata.gateway.balance;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;

/**
 * A discrete-time load loop: each tick a fixed number of requests arrive, the balancer places each,
 * and endpoint {@code i} keeps a request for {@code serviceTicks[i]} ticks. Deterministic when the
 * balancer's randomness is seeded.
 */
final class Simulation {

    private Simulation() {}

    /** Runs {@code ticks} ticks and returns each target's share of all picks. */
    static double[] shares(LoadBalancer balancer, List<FakeTarget> targets, int[] serviceTicks,
                           int arrivalsPerTick, int ticks) {
        int maxService = 0;
        for (int service : serviceTicks) {
            maxService = Math.max(maxService, service);
        }
        @SuppressWarnings("unchecked")
        Queue<FakeTarget>[] completions = new Queue[maxService + 1];
        for (int i = 0; i < completions.length; i++) {
            completions[i] = new ArrayDeque<>();
        }
        int[] picks = new int[targets.size()];
        for (int tick = 0; tick < ticks; tick++) {
            Queue<FakeTarget> done = completions[tick % completions.length];
            for (FakeTarget target; (target = done.poll()) != null; ) {
                target.inFlight--;
            }
            for (int arrival = 0; arrival < arrivalsPerTick; arrival++) {
                FakeTarget target = balancer.pick(targets, null);
                int index = targets.indexOf(target);
                picks[index]++;
                target.inFlight++;
                completions[(tick + serviceTicks[index]) % completions.length].add(target);
            }
        }
        double[] shares = new double[picks.length];
        for (int i = 0; i < picks.length; i++) {
            shares[i] = picks[i] / (double) (ticks * arrivalsPerTick);
        }
        return shares;
    }
}
