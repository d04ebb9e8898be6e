package dev.strata.gateway.health;

/** How one proxied request ended, as far as the endpoint's health is concerned. */
public enum Outcome {
    /** Any response with a status below 500. */
    SUCCESS,
    /** A 5xx response from the endpoint. */
    SERVER_ERROR,
    /** The connection could not be established. */
    CONNECT_FAILURE,
    /** The connection was reset or closed before a complete response. */
    RESET,
    /** No response within the upstream timeout. */
    TIMEOUT
}
