package dev.strata.gateway.filter;

/**
 * How a filter takes part in the gateway's warm-up, whose synthetic traffic must never touch what real
 * clients rely on: no quota spent, no fake response kept.
 */
public enum WarmupMode {
    /** Left out of the warm-up's chains. */
    OFF,
    /**
     * Built for the warm-up like any other, but on state of its own that the warm-up throws away
     * ({@link FilterBuild#state} hands the warm-up a fresh object, never the real one).
     */
    THROWAWAY_STATE
}
