package dev.strata.gateway.filter;

import java.time.Duration;

/**
 * What a filter sees of one request and what it may do to it. Valid during {@link HttpFilter#onRequest}
 * and, for {@link #upstreamHeaders()} and {@link #logField}, until the request is sent upstream or
 * answered; confined to the request's event loop.
 */
public interface FilterContext {

    /** The request, read-only. */
    RequestView request();

    /** The name of the route that matched. */
    String route();

    /** Edits to the head that goes upstream (applied over the received fields). */
    HeaderEdits upstreamHeaders();

    /** Edits to the head of the response that goes to the client, local responses included. */
    HeaderEdits clientHeaders();

    /** Lets {@code observer} see the response and the outcome of this request. */
    void observe(ResponseObserver observer);

    /** Adds a field to this request's access-log line ({@code name=value} in text, a member in JSON). */
    void logField(String name, String value);

    /**
     * Suspends the request until the returned suspension is resumed, at most {@code timeout}; when the
     * timeout passes first, the request goes on with {@code onTimeout}. Return
     * {@link Suspension#verdict()} from {@link HttpFilter#onRequest} after calling this.
     */
    Suspension suspend(Duration timeout, Verdict onTimeout);

    /** Whether this request is the gateway's warm-up traffic, not a client's. */
    boolean warmup();
}
