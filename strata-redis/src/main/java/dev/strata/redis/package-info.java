/**
 * The {@code redis} role: {@link dev.strata.redis.RedisConfig} (section {@code redis}),
 * {@link dev.strata.redis.EmbeddedRedis} (a real redis-server as a child process) and
 * {@link dev.strata.redis.RedisNode} (the role's process).
 */
package dev.strata.redis;
