package dev.strata.gateway.balance;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.strata.gateway.key.RequestKey;

/**
 * A group's {@code balance:} settings.
 *
 * @param policy  {@code least-request} (default), {@code round-robin}, {@code consistent-hash}, {@code peak-ewma}
 * @param hashOn  for {@code consistent-hash}: the key a request is placed by ({@code path} by default);
 *                ignored by the other policies (but still validated, so that a typo fails at load time)
 */
public record BalanceConfig(String policy, RequestKey hashOn) {

    private static final RequestKey PATH = RequestKey.parse("path");

    public static final BalanceConfig DEFAULT = new BalanceConfig(Policies.LEAST_REQUEST, PATH);

    public BalanceConfig {
        policy = policy == null ? Policies.LEAST_REQUEST : Policies.checkPolicy(policy);
        hashOn = hashOn == null ? PATH : hashOn;
    }

    /**
     * Binds the YAML keys: {@code hash_on} in {@link RequestKey}'s spelling, and the prefixes that
     * {@code hash_on: client_address} cuts addresses to.
     */
    @JsonCreator
    static BalanceConfig fromYaml(@JsonProperty("policy") String policy, @JsonProperty("hash_on") String hashOn,
                                  @JsonProperty("ipv4_prefix") int ipv4Prefix,
                                  @JsonProperty("ipv6_prefix") int ipv6Prefix) {
        return new BalanceConfig(policy, RequestKey.parse(hashOn == null ? "path" : hashOn, ipv4Prefix, ipv6Prefix));
    }

    /** The key the policy places requests by, or {@code null} when it reads none (all but consistent-hash). */
    public RequestKey requestKey() {
        return policy.equals(Policies.CONSISTENT_HASH) ? hashOn : null;
    }
}
