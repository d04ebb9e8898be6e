package dev.strata.gateway.health;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Limits retries to a share of the requests in flight, so that retries cannot multiply the load on
 * a group that is already failing. Thread-safe.
 *
 * <p>As Envoy's retry budget: a retry may start only while the retries in flight are fewer than
 * {@code max(minConcurrency, floor(ratio * requestsInFlight))}. A request that is being retried still
 * counts once among the requests in flight; its retry counts among the retries. The check and the
 * increment are one CAS, so concurrent callers cannot overshoot the budget.
 */
public final class RetryBudget {

    private final double ratio;
    private final int minConcurrency;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger retries = new AtomicInteger();

    /**
     * @param ratio          retries allowed in flight as a share of requests in flight, e.g. 0.2
     * @param minConcurrency retries always allowed in flight, however few requests are active
     */
    public RetryBudget(double ratio, int minConcurrency) {
        if (!(ratio >= 0 && ratio <= 1)) {
            throw new IllegalArgumentException(String.format("ratio: %s (expected: 0..1)", ratio));
        }
        if (minConcurrency < 0) {
            throw new IllegalArgumentException(String.format("minConcurrency: %s (expected: >= 0)", minConcurrency));
        }
        this.ratio = ratio;
        this.minConcurrency = minConcurrency;
    }

    public void requestStarted() {
        requests.incrementAndGet();
    }

    public void requestFinished() {
        requests.decrementAndGet();
    }

    /** Takes a retry from the budget; the caller must call {@link #retryFinished()} once it ends. */
    public boolean tryAcquireRetry() {
        for (;;) {
            int inFlight = retries.get();
            if (inFlight >= limit()) {
                return false;
            }
            if (retries.compareAndSet(inFlight, inFlight + 1)) {
                return true;
            }
        }
    }

    public void retryFinished() {
        retries.decrementAndGet();
    }

    /** Retries that may be in flight now. */
    public int limit() {
        return Math.max(minConcurrency, (int) (ratio * requests.get()));
    }

    public int requestsInFlight() {
        return requests.get();
    }

    public int retriesInFlight() {
        return retries.get();
    }
}
