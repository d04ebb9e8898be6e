package dev.strata.gateway.balance;

/**
 * A group's {@code balance:} settings.
 *
 * @param policy  {@code least-request} (default), {@code round-robin}, {@code consistent-hash}, {@code peak-ewma}
 * @param hashOn  for {@code consistent-hash}: where the key comes from, {@code header:NAME},
 *                {@code cookie:NAME} or {@code path}; ignored by the other policies (but still
 *                validated, so that a typo fails at load time)
 */
public record BalanceConfig(String policy, String hashOn) {

    public static final BalanceConfig DEFAULT = new BalanceConfig("least-request", "path");

    public BalanceConfig {
        policy = policy == null ? Policies.LEAST_REQUEST : Policies.checkPolicy(policy);
        hashOn = hashOn == null ? "path" : hashOn;
        HashOn.parse(hashOn);
    }
}
