package dev.strata.gateway.filter;

/**
 * A response held back from the client at its head ({@link ResponseEdits#hold}) until an asynchronous
 * step is done (the other gateways acknowledged a purge, say). {@link #release} may be called from any
 * thread, once; the response then goes on on its own event loop. If the hold's timeout passes first,
 * the response goes on anyway and a later {@code release} does nothing; the same when the client has
 * gone away meanwhile.
 */
public interface ResponseHold {

    /** Lets the response go on to the client; returns whether this call did it (false after the timeout). */
    boolean release();
}
