package dev.strata.gateway.health;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {

    private static RetryBudget withRequests(double ratio, int minConcurrency, int requests) {
        RetryBudget budget = new RetryBudget(ratio, minConcurrency);
        for (int i = 0; i < requests; i++) {
            budget.requestStarted();
        }
        return budget;
    }

    private static int acquireAll(RetryBudget budget) {
        int acquired = 0;
        while (budget.tryAcquireRetry()) {
            acquired++;
        }
        return acquired;
    }

    @Test
    void theMinimumHoldsWhenFewRequestsAreActive() {
        RetryBudget budget = withRequests(0.2, 3, 1);
        assertThat(acquireAll(budget)).isEqualTo(3);
        assertThat(budget.retriesInFlight()).isEqualTo(3);
    }

    @Test
    void theRatioHoldsWhenManyRequestsAreActive() {
        RetryBudget budget = withRequests(0.2, 3, 100);
        assertThat(budget.limit()).isEqualTo(20);
        assertThat(acquireAll(budget)).isEqualTo(20);
        budget.retryFinished();
        assertThat(budget.tryAcquireRetry()).isTrue();
        assertThat(budget.tryAcquireRetry()).isFalse();
    }

    @Test
    void theBudgetShrinksAsRequestsFinish() {
        RetryBudget budget = withRequests(0.5, 0, 10);
        assertThat(acquireAll(budget)).isEqualTo(5);
        for (int i = 0; i < 6; i++) {
            budget.requestFinished();
        }
        assertThat(budget.requestsInFlight()).isEqualTo(4);
        budget.retryFinished();
        budget.retryFinished();
        assertThat(budget.retriesInFlight()).isEqualTo(3);
        assertThat(budget.tryAcquireRetry()).as("3 retries in flight, limit 2").isFalse();
        budget.retryFinished();
        budget.retryFinished();
        assertThat(budget.tryAcquireRetry()).isTrue();
    }

    @Test
    void aZeroBudgetAllowsNoRetry() {
        assertThat(withRequests(0, 0, 1_000).tryAcquireRetry()).isFalse();
    }

    @Test
    void concurrentCallersCannotOvershoot() throws Exception {
        RetryBudget budget = withRequests(0.1, 0, 100);
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger peak = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                results.add(threads.submit(() -> {
                    start.await();
                    for (int i = 0; i < 50_000; i++) {
                        if (budget.tryAcquireRetry()) {
                            peak.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
                            inFlight.decrementAndGet();
                            budget.retryFinished();
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> result : results) {
                result.get(10, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(peak.get()).isBetween(1, 10);
        assertThat(budget.retriesInFlight()).isZero();
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> new RetryBudget(-0.1, 1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("ratio: -0.1 (expected: 0..1)");
        assertThatThrownBy(() -> new RetryBudget(Double.NaN, 1)).hasMessage("ratio: NaN (expected: 0..1)");
        assertThatThrownBy(() -> new RetryBudget(1.5, 1)).hasMessage("ratio: 1.5 (expected: 0..1)");
        assertThatThrownBy(() -> new RetryBudget(0.2, -1))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("minConcurrency: -1 (expected: >= 0)");
    }
}
