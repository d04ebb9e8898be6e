package dev.strata.gateway.limit;

/**
 * One rate limit in GCRA terms: a request costs {@code emissionNanos} of a virtual schedule, and a key may
 * run ahead of real time by at most {@code toleranceNanos}; so {@code burst} requests pass at once and
 * then one every {@code emissionNanos}.
 *
 * @param name           the rule's name, as the headers and metrics spell it
 * @param rate           requests per period ({@code q} of {@code RateLimit-Policy})
 * @param periodSeconds  the period in whole seconds ({@code w})
 * @param burst          requests admitted at once from a fresh key
 * @param emissionNanos  period / rate, rounded down to the nanosecond
 * @param toleranceNanos (burst - 1) * emissionNanos
 */
record Limit(String name, long rate, long periodSeconds, long burst, long emissionNanos, long toleranceNanos) {

    /** The largest schedule a key may hold, 2^53 ns (about 104 days), so Redis's Lua doubles stay exact. */
    static final long MAX_WINDOW_NANOS = 1L << 53;

    static Limit of(String name, long rate, long periodSeconds, long burst) {
        if (rate < 1) {
            throw new IllegalArgumentException("rate: " + rate + " (expected: >= 1)");
        }
        if (periodSeconds < 1 || periodSeconds > 86_400) {
            throw new IllegalArgumentException("period: " + periodSeconds + "s (expected: whole seconds, 1s..24h)");
        }
        if (burst < 1) {
            throw new IllegalArgumentException("burst: " + burst + " (expected: >= 1)");
        }
        long emission = periodSeconds * 1_000_000_000L / rate;
        if (emission < 1) {
            throw new IllegalArgumentException("rate: " + rate + " per " + periodSeconds + "s (expected: at most one per nanosecond)");
        }
        long window;
        try {
            window = Math.multiplyExact(burst, emission);
        } catch (ArithmeticException e) {
            window = Long.MAX_VALUE;
        }
        if (window > MAX_WINDOW_NANOS) {
            throw new IllegalArgumentException("burst: " + burst + " (expected: burst * period / rate at most 104 days)");
        }
        return new Limit(name, rate, periodSeconds, burst, emission, window - emission);
    }

    /** The longest a key's state matters: after this long without requests it is as good as fresh. */
    long windowNanos() {
        return toleranceNanos + emissionNanos;
    }
}
