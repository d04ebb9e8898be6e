package dev.strata.gateway.health;

/**
 * Limits retries to a share of the requests in flight, so that retries cannot multiply the load on
 * a group that is already failing. Thread-safe.
 *
 * <p>PLACEHOLDER: the real budget replaces this class; the public methods stay.
 */
public final class RetryBudget {

    /**
     * @param ratio          retries allowed in flight as a share of requests in flight, e.g. 0.2
     * @param minConcurrency retries always allowed in flight, however few requests are active
     */
    public RetryBudget(double ratio, int minConcurrency) {
    }

    public void requestStarted() {
    }

    public void requestFinished() {
    }

    /** Takes a retry from the budget; the caller must call {@link #retryFinished()} once it ends. */
    public boolean tryAcquireRetry() {
        return true;
    }

    public void retryFinished() {
    }
}
