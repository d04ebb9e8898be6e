package dev.strata.gateway.health;

/**
 * The health of one endpoint: what active checks and passive outlier detection have concluded, and
 * the slow-start ramp after (re)admission. Thread-safe: written from every event loop and the
 * checker.
 *
 * <p>PLACEHOLDER: the real state machine replaces this class; the public methods stay.
 */
public final class EndpointHealth {

    private volatile HealthState state = HealthState.HEALTHY;

    public EndpointHealth(HealthConfig config, java.util.function.LongSupplier nanoClock) {
    }

    /** Current state; an ejection that has run out reads as {@link HealthState#HEALTHY}. */
    public HealthState state() {
        return state;
    }

    /** Whether the endpoint may get new requests now. */
    public boolean eligible() {
        return state() == HealthState.HEALTHY;
    }

    /** Slow-start share in (0, 1]; see {@link dev.strata.gateway.balance.Target#weight()}. */
    public double weight() {
        return 1.0;
    }

    /** Result of one active check. */
    public void activeCheck(boolean passed) {
    }

    /**
     * Outcome of one proxied request. Returns whether this outcome asks for the endpoint's ejection;
     * the group's {@link OutlierDetector} decides whether the ejection may happen.
     */
    public boolean record(Outcome outcome) {
        return false;
    }

    /** Ejects the endpoint now (called by {@link OutlierDetector}). */
    void eject() {
        state = HealthState.EJECTED;
    }

    /** How many times in a row this endpoint has been ejected (0 once it has served well again). */
    public int ejections() {
        return 0;
    }
}
