package dev.strata.gateway.balance;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A peak-sensitive, exponentially weighted moving average of one endpoint's response time, as in
 * Finagle's and Linkerd's peak-EWMA balancers. Thread-safe. The proxy calls {@link #observe} on every
 * response and serves {@link #valueNanos} as {@link Target#latencyNanos()}.
 *
 * <h2>Design notes</h2>
 *
 * <h3>Rules</h3>
 * With {@code tau} the time constant, {@code age} the time since the last sample and
 * {@code decay = exp(-age / tau)}:
 * <ul>
 *   <li>a read returns {@code estimate * decay}: an estimate nobody refreshes fades toward zero, so an
 *       endpoint that looked slow and lost its traffic is tried again after a few {@code tau};</li>
 *   <li>a sample above that faded value replaces it at once (peak sensitivity: an endpoint that turns
 *       slow loses traffic on its first slow response);</li>
 *   <li>a sample below it pulls it down by the share {@code 1 - decay}, the usual time-weighted EWMA,
 *       so a burst of fast responses does not hide a slow one immediately.</li>
 * </ul>
 * A constant response time {@code r} therefore reads exactly {@code r} right after each sample.
 *
 * <h3>Threading</h3>
 * The estimate and its time stamp change together, so they live in one immutable pair swapped by CAS;
 * a read is one volatile load and one {@code exp}. Samples that arrive out of order (clocks read on
 * different threads) count as age zero.
 */
public final class PeakEwma {

    public static final Duration DEFAULT_TIME_CONSTANT = Duration.ofSeconds(10);

    private record Estimate(double nanos, long stampNanos) {}

    private final double timeConstantNanos;
    private final AtomicReference<Estimate> estimate = new AtomicReference<>(new Estimate(0, 0));

    /** With a time constant of {@link #DEFAULT_TIME_CONSTANT}. */
    public PeakEwma() {
        this(DEFAULT_TIME_CONSTANT);
    }

    public PeakEwma(Duration timeConstant) {
        if (timeConstant == null || timeConstant.isNegative() || timeConstant.isZero()) {
            throw new IllegalArgumentException(String.format("timeConstant: %s (expected: > 0)", timeConstant));
        }
        this.timeConstantNanos = timeConstant.toNanos();
    }

    /** Records one response time measured at {@code nowNanos} (a {@link System#nanoTime()} reading). */
    public void observe(long rttNanos, long nowNanos) {
        if (rttNanos < 0) {
            throw new IllegalArgumentException(String.format("rttNanos: %s (expected: >= 0)", rttNanos));
        }
        for (;;) {
            Estimate current = estimate.get();
            double decay = decay(current, nowNanos);
            double faded = current.nanos * decay;
            double next = rttNanos >= faded ? rttNanos : faded * decay + rttNanos * (1 - decay);
            long stamp = nowNanos - current.stampNanos < 0 && current.nanos > 0 ? current.stampNanos : nowNanos;
            if (estimate.compareAndSet(current, new Estimate(next, stamp))) {
                return;
            }
        }
    }

    /** The estimate at {@code nowNanos}; {@code 0} before the first sample. */
    public double valueNanos(long nowNanos) {
        Estimate current = estimate.get();
        return current.nanos * decay(current, nowNanos);
    }

    private double decay(Estimate current, long nowNanos) {
        long age = nowNanos - current.stampNanos;
        return age <= 0 ? 1 : Math.exp(-age / timeConstantNanos);
    }
}
