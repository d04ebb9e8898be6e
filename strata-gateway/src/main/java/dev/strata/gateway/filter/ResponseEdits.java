package dev.strata.gateway.filter;

import java.time.Duration;

/** Edits to a response head on its way to the client, and what the observer asks of the rest of the body. */
public interface ResponseEdits {

    /** Edits to the client's head. */
    HeaderEdits headers();

    /**
     * Reads the upstream response to its end even if the client goes away first (a cache filling a copy),
     * within the request's total timeout. Without it the upstream request is abandoned when the client
     * leaves.
     */
    void readToEndWithoutClient();

    /**
     * Answers the client with {@code response} in place of the one whose head the observer sees: the
     * upstream's (whose body is then not read: its connection is closed, not reused), as a cache turns
     * the upstream's {@code 304} to its own conditional request into the stored response; or the
     * gateway's own answer (a 502 or 504, as a cache serves a stale copy instead). The client edits made
     * so far apply to {@code response} too, and the observers then see its head (as a local one) and its
     * body like any local response's. The last call among the head's observers wins; a replacement is
     * not replaced again.
     */
    void replaceWith(LocalResponse response);

    /**
     * Holds the upstream's response back from the client until the returned hold is released, at most
     * {@code timeout} (then it goes on anyway): the response-head counterpart of
     * {@link FilterContext#suspend}. The head, with the client edits made so far, waits; the upstream is
     * not read meanwhile, so what waits with it is bounded by the read that brought the head. One hold
     * per head: a second call throws {@link IllegalStateException}. A local response, or a head that is
     * replaced ({@link #replaceWith}), is not held: the hold returned is already void.
     */
    ResponseHold hold(Duration timeout);
}
