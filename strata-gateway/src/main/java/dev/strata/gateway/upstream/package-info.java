/**
 * Upstream groups and endpoints as the request path sees them, and active health checks.
 * Internal to the gateway; may change.
 */
package dev.strata.gateway.upstream;
