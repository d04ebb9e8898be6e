/**
 * The shared HTTP cache (RFC 9111, RFC 5861, RFC 9211, RFC 9213) as the filter type {@code cache}:
 * {@link dev.strata.gateway.cache.ResponseCache#filterType()} is the entry; purges that come from
 * elsewhere go through {@link dev.strata.gateway.cache.Stores} with a
 * {@link dev.strata.gateway.cache.PurgeRequest}. Everything else is package-private.
 */
package dev.strata.gateway.cache;
