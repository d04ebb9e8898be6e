package dev.strata.gateway.limit;

/*
 * Design notes
 *
 * The generic cell rate algorithm keeps one number per key: the theoretical arrival time (TAT) of the
 * next request, on the schedule where requests arrive exactly one emission interval T apart. A request
 * at time now may pass when TAT - now <= tolerance; passing moves TAT to max(TAT, now) + T. Everything
 * is a long count of nanoseconds and only differences of clock readings are compared, so there is no
 * rounding and no wrap-around trouble with System.nanoTime. The same arithmetic runs inside the Redis
 * script (RedisStore), there on exact integers below 2^53.
 */
/** The GCRA step on one key's state; pure. */
final class Gcra {

    private Gcra() {}

    /**
     * Decides a request at {@code now} for a key whose schedule runs {@code ahead} nanoseconds in front of
     * now (TAT - now; 0 or less for a fresh or idle key).
     *
     * @return the decision; when allowed, the key's new TAT is {@code now + decision.resetNanos()}
     */
    static Decision decide(long ahead, Limit limit) {
        long used = Math.max(ahead, 0);
        if (used > limit.toleranceNanos()) {
            long retry = used - limit.toleranceNanos();
            return new Decision(false, 0, retry, retry, Decision.Source.STORE);
        }
        long after = used + limit.emissionNanos();
        long remaining = (limit.windowNanos() - after) / limit.emissionNanos();
        return new Decision(true, remaining, after, 0, Decision.Source.STORE);
    }
}
