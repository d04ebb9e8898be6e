package dev.strata.gateway.balance;

import java.util.List;

/**
 * Chooses the endpoint for one request among the endpoints that are currently eligible (healthy, not
 * ejected, not already tried by this request). One instance serves one upstream group and is called
 * concurrently from every event loop.
 *
 * <h2>Design notes</h2>
 *
 * <h3>Threading</h3>
 * {@link #pick} runs once per request on every event loop at the same time. Implementations take no
 * lock and allocate nothing on the common path: the shared state is one counter (round-robin) or one
 * immutable ring published through a volatile field (consistent-hash); everything else is read from
 * the candidates, whose values may change while a pick runs. A pick therefore decides on a snapshot
 * that may already be stale, which only costs balance, never correctness.
 *
 * <h3>Weight</h3>
 * {@link Target#weight()} below 1 means the endpoint ramps up after (re)admission. Every policy gives
 * such an endpoint proportionally less traffic: the load-aware policies divide the endpoint's cost by
 * its weight, round-robin skips it in a matching share of rounds. Consistent hashing ignores weight,
 * because moving keys off a ramping endpoint would defeat the point of hashing them.
 *
 * <h3>Randomness</h3>
 * The power-of-two-choices policies draw from {@code ThreadLocalRandom}; tests give them a seeded
 * source through a package-private constructor so that shares are deterministic.
 */
public interface LoadBalancer {

    /**
     * Picks one of {@code candidates}.
     *
     * @param candidates the eligible endpoints, never empty
     * @param hashKey    the request's key for {@code consistent-hash}, or {@code null} when the policy
     *                   does not use one or the request carries none (the policy then spreads freely)
     */
    <T extends Target> T pick(List<T> candidates, String hashKey);

    /** The balancer for a group's {@code balance} settings. */
    static LoadBalancer of(BalanceConfig config) {
        return Policies.create(config);
    }
}
