package dev.strata.gateway.config;

import dev.strata.gateway.balance.BalanceConfig;
import dev.strata.gateway.health.HealthConfig;
import java.util.List;
import java.util.Objects;

/** One upstream group: a static list of endpoints and how they are balanced, checked, pooled, retried. */
public record UpstreamConfig(List<EndpointConfig> endpoints, BalanceConfig balance, HealthConfig health,
                             PoolConfig pool, RetryConfig retry) {

    public UpstreamConfig {
        endpoints = List.copyOf(endpoints);
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("upstreams.endpoints: [] (expected: at least one host:port)");
        }
        if (endpoints.stream().map(EndpointConfig::address).distinct().count() != endpoints.size()) {
            throw new IllegalArgumentException("upstreams.endpoints: " + addresses(endpoints) + " (expected: no duplicates)");
        }
        if (endpoints.stream().map(EndpointConfig::name).distinct().count() != endpoints.size()) {
            throw new IllegalArgumentException("upstreams.endpoints.name: "
                    + endpoints.stream().map(EndpointConfig::name).toList() + " (expected: no duplicates)");
        }
        Objects.requireNonNull(balance, "balance");
        Objects.requireNonNull(health, "health"); // its own parts it checks itself, as a disabled section too
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(retry, "retry");
    }

    /** The endpoints' host:port, in order. */
    public List<String> addresses() {
        return addresses(endpoints);
    }

    private static List<String> addresses(List<EndpointConfig> endpoints) {
        return endpoints.stream().map(EndpointConfig::address).toList();
    }

    /** Connections kept per endpoint and event loop. */
    public record PoolConfig(int maxPerEventLoop, java.time.Duration idleTimeout) {
        public PoolConfig {
            if (maxPerEventLoop <= 0) {
                throw new IllegalArgumentException("pool.max_per_event_loop: " + maxPerEventLoop + " (expected: > 0)");
            }
            TimeoutsConfig.positive("pool.idle_timeout", idleTimeout);
        }
    }

    /** Retries of idempotent requests. */
    public record RetryConfig(int maxAttempts, double budgetRatio, int minConcurrency) {
        public RetryConfig {
            if (maxAttempts <= 0) {
                throw new IllegalArgumentException("retry.max_attempts: " + maxAttempts + " (expected: > 0)");
            }
            if (budgetRatio < 0 || budgetRatio > 1) {
                throw new IllegalArgumentException("retry.budget_ratio: " + budgetRatio + " (expected: 0..1)");
            }
            if (minConcurrency < 0) {
                throw new IllegalArgumentException("retry.min_concurrency: " + minConcurrency + " (expected: >= 0)");
            }
        }
    }
}
