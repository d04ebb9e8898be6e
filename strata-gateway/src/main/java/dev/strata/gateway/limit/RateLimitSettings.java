package dev.strata.gateway.limit;

import java.time.Duration;
import java.util.List;

/**
 * The {@code rate_limit} filter's settings, as the configuration spells them (see
 * {@code docs/configuration.md}).
 *
 * @param rules    at least one; their names are unique within the filter, and rules of one name share
 *                 their counters wherever they are configured
 * @param allow    client addresses (CIDR) never limited
 * @param dryRun   count and log refusals, but let every request pass
 * @param headers  {@code on_reject} (default): {@code RateLimit-Policy} and {@code RateLimit} on 429s only;
 *                 {@code always}: on allowed responses too
 * @param maxKeys  the most keys the local store holds (default 100000)
 * @param store    {@code local} (default) or {@code cluster} (shared through {@code gateway.cluster}'s Redis)
 * @param cluster  how the cluster store waits and fails
 */
record RateLimitSettings(List<RuleSettings> rules, List<String> allow, Boolean dryRun, String headers,
                                Long maxKeys, String store, ClusterSettings cluster) {

    /**
     * One rule.
     *
     * @param name       a token, unique in the filter
     * @param match      which requests it counts; absent: all
     * @param key        a {@link dev.strata.gateway.key.RequestKey} spelling (default {@code client_address})
     * @param ipv4Prefix bits of an IPv4 client address that make the key (default 32)
     * @param ipv6Prefix bits of an IPv6 client address (default 64: one /64 is one client)
     * @param rate       requests per period
     * @param period     whole seconds (default 1s)
     * @param burst      requests a fresh key may send at once (default: rate)
     */
    record RuleSettings(String name, MatchSettings match, String key, Integer ipv4Prefix, Integer ipv6Prefix,
                               Long rate, Duration period, Long burst) {}

    /** What a rule counts; every given part must hold. */
    record MatchSettings(String route, String host, String pathPrefix, List<String> methods) {}

    /**
     * The cluster store's waiting and failing.
     *
     * @param timeout   the longest a decision waits for Redis (default 50ms)
     * @param onFailure when Redis is unreachable, slow or failing: {@code local} (default: decide on this
     *                  gateway's own store with the same limits), {@code open} (admit) or {@code closed} (503)
     * @param batch     cells one call to Redis may lease for this gateway to hand out itself (default 1: none)
     */
    record ClusterSettings(Duration timeout, String onFailure, Long batch) {}
}
