package dev.strata.gateway.balance;

import java.util.function.IntUnaryOperator;

/**
 * {@code peak-ewma}: of two random candidates, the one with the lower expected wait, estimated as
 * {@code latency * (inFlight + 1) / weight} with {@link Target#latencyNanos()} a {@link PeakEwma}.
 *
 * <h2>Design notes</h2>
 *
 * <h3>Endpoints without a measurement</h3>
 * An endpoint that has not answered yet reports latency {@code 0}. Counting that as zero would send it
 * everything until its first response; counting it as a fixed default would starve it when the
 * group's real latency is below the default (loopback services answer in well under a millisecond).
 * So an unmeasured endpoint borrows the latency of the candidate it is compared with: the comparison
 * falls back to least-request between the two, the new endpoint gets its fair share of tries, and its
 * first responses give it a latency of its own. When neither is measured, both count as
 * {@link #UNMEASURED_NANOS}, which again reduces to least-request.
 */
final class PeakEwmaPolicy extends TwoChoicesPolicy {

    /** Latency assumed when neither candidate has been measured; any positive value gives the same order. */
    static final double UNMEASURED_NANOS = 1_000_000;

    PeakEwmaPolicy(IntUnaryOperator random) {
        super(random);
    }

    @Override
    boolean prefersSecond(Target a, Target b) {
        double latencyA = a.latencyNanos();
        double latencyB = b.latencyNanos();
        if (!(latencyA > 0)) {
            latencyA = latencyB > 0 ? latencyB : UNMEASURED_NANOS;
        }
        if (!(latencyB > 0)) {
            latencyB = latencyA;
        }
        return cost(latencyB, b) < cost(latencyA, a);
    }

    private static double cost(double latencyNanos, Target target) {
        return latencyNanos * (target.inFlight() + 1) / weightOf(target);
    }
}
