package dev.strata.gateway.limit;

/**
 * A store's answer for one request under one limit.
 *
 * @param allowed     whether the request may pass
 * @param remaining   requests that would pass right after this one, at this instant (0 when refused)
 * @param resetNanos  until the key's quota is whole again (allowed), or until the next request may pass (refused)
 * @param retryNanos  until the next request may pass; 0 when allowed
 * @param source      who decided: the store itself, or a fallback because the shared store failed
 */
record Decision(boolean allowed, long remaining, long resetNanos, long retryNanos, Source source) {

    enum Source { STORE, FALLBACK, OPEN, CLOSED }

    /** Admitted without counting (fail-open while the shared store is unreachable): no headers to give. */
    static final Decision OPEN = new Decision(true, -1, 0, 0, Source.OPEN);
    /** Refused without counting (fail-closed while the shared store is unreachable). */
    static final Decision CLOSED = new Decision(false, 0, 1_000_000_000L, 1_000_000_000L, Source.CLOSED);

    /** Whether this decision says something about the quota (else no RateLimit fields). */
    boolean counted() {
        return source == Source.STORE || source == Source.FALLBACK;
    }

    Decision asFallback() {
        return new Decision(allowed, remaining, resetNanos, retryNanos, Source.FALLBACK);
    }
}
