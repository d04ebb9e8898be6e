/**
 * Rate limiting: the {@code rate_limit} filter type (rules that match requests, count them by a
 * {@link dev.strata.gateway.key.RequestKey} with GCRA, and answer 429 with the IETF rate-limit fields),
 * its stores (local on Caffeine, shared through Redis), {@code GET /_strata/limits}, and the
 * connection-level limits per client address.
 */
package dev.strata.gateway.limit;
