package dev.strata.gateway.balance;

import java.util.List;

/**
 * Chooses the endpoint for one request among the endpoints that are currently eligible (healthy, not
 * ejected, not already tried by this request). One instance serves one upstream group and is called
 * concurrently from every event loop.
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
