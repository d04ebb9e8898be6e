/**
 * Upstream connection pools, one per endpoint and event loop. Internal to the gateway; may change.
 */
package dev.strata.gateway.pool;
