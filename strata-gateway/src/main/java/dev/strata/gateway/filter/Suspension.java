package dev.strata.gateway.filter;

/**
 * A request waiting for an asynchronous decision (a Redis call, say). {@link #resume} may be called from
 * any thread, once; the request goes on on its own event loop. If the timeout given to
 * {@link FilterContext#suspend} passes first, the request goes on with the timeout's verdict and a later
 * {@code resume} does nothing; the same when the client has gone away meanwhile.
 */
public interface Suspension {

    /** Ends the wait with {@code verdict} ({@link Verdict#CONTINUE} or a response); returns whether it counted. */
    boolean resume(Verdict verdict);

    /** The verdict to return from {@link HttpFilter#onRequest} after suspending. */
    default Verdict verdict() {
        return Verdict.SUSPENDED;
    }
}
