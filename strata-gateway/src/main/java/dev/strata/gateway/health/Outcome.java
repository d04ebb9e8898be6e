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
    GATEWAY_ERROR;

    /** The outcome of a complete response with {@code status}: the one mapping from statuses to outcomes. */
    public static Outcome ofStatus(int status) {
        if (status < 500) {
            return SUCCESS;
        }
        return status == 502 || status == 503 || status == 504 ? GATEWAY_ERROR : SERVER_ERROR;
    }
}
