package dev.strata.gateway.health;

/** How one proxied request ended, as far as the endpoint's health is concerned. */
public enum Outcome {
    /** Any response with a status below 500. */
    SUCCESS,
    /**
     * A 5xx response other than 502, 503 and 504: the endpoint answered, and failed at this request (a
     * broken URL may do that while every other URL works). Counts toward {@code consecutive_5xx} only.
     */
    SERVER_ERROR,
    /** The connection could not be established. */
    CONNECT_FAILURE,
    /** The connection was reset or closed before a complete response. */
    RESET,
    /** No response within the upstream timeout. */
    TIMEOUT,
    /**
     * A 502, 503 or 504 response: the endpoint, or what it depends on, could not serve the request at
     * all. Counts toward {@code consecutive_gateway_failure} as well as {@code consecutive_5xx}.
     */
    GATEWAY_ERROR,
    /**
     * A 5xx response that carries {@value #DEGRADED_FIELD}: the endpoint says it serves in a degraded
     * mode and gave the answer that mode gives, the one every endpoint that shares its dependency would
     * give (a service whose database takes no writes answers a write 503). It breaks both failure
     * streaks, as an answer below 500 does, and is not retried on another endpoint. An endpoint can
     * spare itself ejection that way, never active checks.
     */
    DEGRADED;

    /** The response field by which an endpoint says it is degraded, and how (e.g. {@code database read-only}). */
    public static final String DEGRADED_FIELD = "Strata-Degraded";

    /** The outcome of a complete response with {@code status}: the one mapping from statuses to outcomes. */
    public static Outcome ofStatus(int status) {
        if (status < 500) {
            return SUCCESS;
        }
        return status == 502 || status == 503 || status == 504 ? GATEWAY_ERROR : SERVER_ERROR;
    }

    /** As {@link #ofStatus}, for a response that carries {@value #DEGRADED_FIELD} when {@code degraded}. */
    public static Outcome ofResponse(int status, boolean degraded) {
        return degraded && status >= 500 ? DEGRADED : ofStatus(status);
    }
}
