/**
 * The warm-up: synthetic traffic through the gateway's own request path before its listeners open, on
 * throw-away filter state, to an origin inside the process. Internal to the gateway; may change.
 */
package dev.strata.gateway.warmup;
