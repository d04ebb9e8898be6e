package dev.strata.gateway.health;

/** An endpoint's health as the admin API reports it. */
public enum HealthState {
    /** Passing active checks and not ejected: gets traffic (possibly ramping up, see slow start). */
    HEALTHY,
    /** Failed {@code unhealthy_threshold} active checks in a row: no traffic until it passes {@code healthy_threshold}. */
    UNHEALTHY,
    /** Ejected by passive outlier detection: no traffic until its ejection time runs out. */
    EJECTED
}
