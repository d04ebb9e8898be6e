package dev.strata.gateway.balance;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.strata.gateway.key.RequestKey;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A group's {@code balance:} settings.
 *
 * @param policy         {@code least-request} (default), {@code round-robin}, {@code consistent-hash},
 *                       {@code peak-ewma}
 * @param hashOn         for {@code consistent-hash}: the key a request is placed by ({@code path} by
 *                       default); ignored by the other policies (but still validated, so that a typo
 *                       fails at load time)
 * @param panicThreshold in percent, 0..100: when fewer than this share of the group's endpoints are
 *                       eligible, requests are balanced over all of them, the ineligible included
 *                       (Envoy's {@code healthy_panic_threshold}); 0 turns it off
 */
public record BalanceConfig(String policy, RequestKey hashOn, double panicThreshold) {

    private static final RequestKey PATH = RequestKey.parse("path");
    private static final Pattern PERCENT = Pattern.compile("([0-9]{1,3}(?:\\.[0-9]+)?) *%?");

    public static final BalanceConfig DEFAULT = new BalanceConfig(Policies.LEAST_REQUEST, PATH, 50);

    public BalanceConfig {
        policy = policy == null ? Policies.LEAST_REQUEST : Policies.checkPolicy(policy);
        hashOn = hashOn == null ? PATH : hashOn;
        if (!(panicThreshold >= 0 && panicThreshold <= 100)) {
            throw new IllegalArgumentException("balance.panic_threshold: " + panicThreshold + " (expected: 0..100)");
        }
    }

    /**
     * Binds the YAML keys: {@code hash_on} in {@link RequestKey}'s spelling, the prefixes that
     * {@code hash_on: client_address} cuts addresses to, and {@code panic_threshold} as a percentage
     * ({@code 50%}, or a bare {@code 50}).
     */
    @JsonCreator
    static BalanceConfig fromYaml(@JsonProperty("policy") String policy, @JsonProperty("hash_on") String hashOn,
                                  @JsonProperty("ipv4_prefix") int ipv4Prefix,
                                  @JsonProperty("ipv6_prefix") int ipv6Prefix,
                                  @JsonProperty("panic_threshold") String panicThreshold) {
        return new BalanceConfig(policy, RequestKey.parse(hashOn == null ? "path" : hashOn, ipv4Prefix, ipv6Prefix),
                percent(panicThreshold));
    }

    private static double percent(String text) {
        Matcher m = PERCENT.matcher(text == null ? "" : text.strip());
        if (m.matches() && Double.parseDouble(m.group(1)) <= 100) {
            return Double.parseDouble(m.group(1));
        }
        throw new IllegalArgumentException("balance.panic_threshold: '" + text + "' (expected: 0%..100%)");
    }

    /** The key the policy places requests by, or {@code null} when it reads none (all but consistent-hash). */
    public RequestKey requestKey() {
        return policy.equals(Policies.CONSISTENT_HASH) ? hashOn : null;
    }
}
