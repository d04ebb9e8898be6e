/**
 * The key of a request: what consistent hashing places a request by and, later, what a rate limiter
 * counts a request under. {@link dev.strata.gateway.key.RequestKey} is the one extractor, read from one
 * spelling in the configuration; the parsers it uses are package-private.
 */
package dev.strata.gateway.key;
