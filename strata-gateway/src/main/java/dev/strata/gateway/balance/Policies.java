package dev.strata.gateway.balance;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** Maps a policy name to its implementation. */
final class Policies {

    private Policies() {}

    static LoadBalancer create(BalanceConfig config) {
        return switch (config.policy()) {
            case "least-request", "round-robin", "consistent-hash", "peak-ewma" -> new Placeholder();
            default -> throw new IllegalArgumentException("policy: " + config.policy()
                    + " (expected: least-request, round-robin, consistent-hash or peak-ewma)");
        };
    }

    /** Stands in until the real policies land; rotates through the candidates. */
    private static final class Placeholder implements LoadBalancer {
        private final AtomicInteger next = new AtomicInteger();

        @Override
        public <T extends Target> T pick(List<T> candidates, String hashKey) {
            return candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size()));
        }
    }
}
