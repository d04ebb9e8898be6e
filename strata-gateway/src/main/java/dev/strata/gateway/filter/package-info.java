/**
 * The HTTP filter chain on the gateway's request path: what a feature (headers, request ids, direct
 * responses, and later the cache and the rate limiter) sees of a request in flight and how it answers.
 */
package dev.strata.gateway.filter;
