package dev.strata.gateway.filter;

/**
 * One feature on the request path. A route's filters run in order on each request after routing and
 * before {@code 100 Continue} is sent; each returns a {@link Verdict}: go on, answer locally, or wait
 * for an asynchronous decision ({@link FilterContext#suspend}).
 *
 * <p>A filter is shared by every request of its route in one configuration generation and is called
 * only on the request's event loop, many loops at once: state of its own must be thread-safe, and
 * state of one request lives in what it registers with {@link FilterContext#observe}. To see the
 * response, a filter registers a {@link ResponseObserver} (itself, when it keeps nothing per request).
 */
public interface HttpFilter {

    /** Decides on the request; called once per request, on its event loop. */
    Verdict onRequest(FilterContext context);
}
