package dev.strata.gateway.proxy;

import dev.strata.gateway.filter.HeaderEdits;
import dev.strata.gateway.filter.LocalResponse;

/**
 * The step in which the gateway answers a request itself ({@link Exchange.Phase#ANSWERING}): an error as
 * problem details, a filter's or a route's response, a stored copy. It decides what the client gets and
 * whether the connection closes after it; {@link ResponseRelay#local} writes it (the head from
 * {@link LocalResponses}) and {@link Exchange#finish} logs and counts it like a proxied response.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Too late</b> once the client got part of an upstream response: the connection is cut instead
 *   ({@link Exchange#cut}), the only honest signal left.</li>
 *   <li><b>Observers</b> see the local head as they see an upstream's, and one may put its own answer in
 *   place of the gateway's (a stale copy for a 502, say); the one it replaces is closed, and the
 *   replacement is shown to them once more, for their edits and their body.</li>
 *   <li><b>Closing.</b> The connection closes after the answer when asked to, when the client or the
 *   connection's request limit wants it, when the gateway drains, when the rest of the request body would
 *   have to be read first, and when an HTTP/1.0 client must read a body of unknown length to the close.</li>
 * </ul>
 * Threading: on the client channel's event loop, like the exchange.
 */
final class LocalAnswer {

    private LocalAnswer() {}

    /**
     * Answers {@code x} with the problem {@code code} and {@code detail} (its {@code instance} is the
     * request's path when the target is short and in origin form).
     *
     * @param retryAfter seconds for {@code Retry-After}, or {@code null}
     * @param forceClose the connection closes after the answer
     */
    static void problem(Exchange x, int code, String detail, Integer retryAfter, boolean forceClose) {
        RequestHead request = x.request;
        String target = request.target;
        String instance = target.length() <= 256 && target.startsWith("/") ? request.path() : null;
        respond(x, LocalResponse.problem(code, detail, instance, retryAfter), forceClose);
    }

    /**
     * The one way the gateway answers by itself: the head with the observers' edits, the body (bytes at
     * once, a stream while the client takes it), then the access-log line and the meters in
     * {@link Exchange#finish}. Too late once the client got part of an upstream response: the connection
     * closes.
     */
    static void respond(Exchange x, LocalResponse r, boolean forceClose) {
        if (x.finished()) {
            return;
        }
        if (x.response.started()) {
            x.cut();
            return;
        }
        x.answering(r.status());
        boolean close = forceClose || !x.clientKeepAlive || x.server.draining()
                || (x.body.present() && x.body.state() == RequestBody.State.RECEIVING);
        FilterRun filters = x.filters();
        HeaderEdits edits = null;
        if (filters != null) {
            filters.responseHead(LocalResponses.view(r));
            LocalResponse replacement = filters.takeReplacement();
            if (replacement != null) {
                // an observer answers in place of the gateway's own (a stale copy for a 502, say)
                if (r.stream() != null) {
                    r.stream().close();
                }
                r = replacement;
                x.status(r.status());
                filters.responseHead(LocalResponses.view(r));
                filters.takeReplacement();
            }
            edits = filters.clientEdits();
        }
        // set before the write, which may complete (and finish the exchange) at once
        boolean closeClient = close || (r.stream() != null && r.stream().length() < 0 && !x.request.http11);
        x.closeClientAfter(closeClient);
        x.response.local(r, edits, closeClient);
    }
}
