package dev.strata.gateway.balance;

import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntUnaryOperator;

/** Maps a policy name to its implementation. */
final class Policies {

    static final String LEAST_REQUEST = "least-request";
    static final String ROUND_ROBIN = "round-robin";
    static final String CONSISTENT_HASH = "consistent-hash";
    static final String PEAK_EWMA = "peak-ewma";

    /** Draws a uniform index in {@code [0, bound)} from the calling thread's own generator. */
    static final IntUnaryOperator THREAD_LOCAL_RANDOM = bound -> ThreadLocalRandom.current().nextInt(bound);

    private Policies() {}

    static LoadBalancer create(BalanceConfig config) {
        return create(config.policy(), THREAD_LOCAL_RANDOM);
    }

    /** As {@link #create(BalanceConfig)}, drawing random indices from {@code random} (tests seed it). */
    static LoadBalancer create(String policy, IntUnaryOperator random) {
        return switch (checkPolicy(policy)) {
            case LEAST_REQUEST -> new LeastRequestPolicy(random);
            case ROUND_ROBIN -> new RoundRobinPolicy();
            case CONSISTENT_HASH -> new ConsistentHashPolicy(new LeastRequestPolicy(random));
            case PEAK_EWMA -> new PeakEwmaPolicy(random);
            default -> throw new AssertionError(policy);
        };
    }

    static String checkPolicy(String policy) {
        return switch (policy) {
            case LEAST_REQUEST, ROUND_ROBIN, CONSISTENT_HASH, PEAK_EWMA -> policy;
            case null, default -> throw new IllegalArgumentException(String.format(
                    "policy: %s (expected: %s, %s, %s or %s)",
                    policy, LEAST_REQUEST, ROUND_ROBIN, CONSISTENT_HASH, PEAK_EWMA));
        };
    }
}
