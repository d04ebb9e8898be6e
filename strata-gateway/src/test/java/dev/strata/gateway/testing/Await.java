package dev.strata.gateway.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Waits for a condition with a generous deadline (never a timing assertion). */
public final class Await {

    private Await() {}

    public static void until(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not met within 20s");
            }
            Thread.sleep(20);
        }
    }
}
