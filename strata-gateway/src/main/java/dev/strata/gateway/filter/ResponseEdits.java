package dev.strata.gateway.filter;

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
}
