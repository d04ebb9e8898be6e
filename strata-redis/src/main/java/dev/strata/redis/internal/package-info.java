/**
 * How the embedded redis-server is unpacked, checked, configured, run and stopped. Internal to
 * Strata: may change without notice; use {@link dev.strata.redis.EmbeddedRedis} instead.
 */
package dev.strata.redis.internal;
