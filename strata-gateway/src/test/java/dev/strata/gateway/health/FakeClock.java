package dev.strata.gateway.health;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/** A nano clock that moves only when a test moves it. */
final class FakeClock implements LongSupplier {

    private final AtomicLong nanos;

    FakeClock(long startNanos) {
        nanos = new AtomicLong(startNanos);
    }

    FakeClock() {
        this(1_000_000_000_000L);
    }

    void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }

    @Override
    public long getAsLong() {
        return nanos.get();
    }
}
