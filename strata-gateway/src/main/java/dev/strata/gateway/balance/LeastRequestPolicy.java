package dev.strata.gateway.balance;

import java.util.function.IntUnaryOperator;

/**
 * {@code least-request}: of two random candidates, the one with fewer requests in flight per unit of
 * weight. The cost is {@code (inFlight + 1) / weight}: the {@code + 1} counts the request being
 * placed, so that among idle endpoints a ramping one (weight below 1) still costs more.
 */
final class LeastRequestPolicy extends TwoChoicesPolicy {

    LeastRequestPolicy(IntUnaryOperator random) {
        super(random);
    }

    @Override
    boolean prefersSecond(Target a, Target b) {
        return cost(b) < cost(a);
    }

    static double cost(Target target) {
        return (target.inFlight() + 1) / weightOf(target);
    }
}
