package dev.strata.gateway.filter;

import io.netty.buffer.ByteBuf;

/**
 * Sees the response of one request as it streams to the client, and its outcome. Called on the request's
 * event loop, in the order the filters registered. A local response is seen the same way (its
 * {@link ResponseView#local()} says so).
 */
public interface ResponseObserver {

    /** The response head, before it is written to the client; {@code edits} change what the client gets. */
    default void onResponseHead(ResponseView response, ResponseEdits edits) {}

    /**
     * A piece of the body as it is passed on. The buffer stays the proxy's: read it within the call, or
     * keep a {@code retainedSlice()} / copy.
     */
    default void onResponseBody(ByteBuf chunk) {}

    /** The body is complete (it reached the proxy whole; the client may still be receiving it). */
    default void onResponseEnd() {}

    /** The request is over, whatever happened; called exactly once per registered observer. */
    default void onComplete(ExchangeOutcome outcome) {}
}
