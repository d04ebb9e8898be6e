package dev.strata.gateway.proxy;

import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;

/**
 * Response encoder that knows when a response must not carry a body although its headers frame one
 * (the answer to a HEAD request). Threading: event-loop confined, like the pipeline it sits in.
 */
final class ResponseEncoder extends HttpResponseEncoder {

    // set by ClientHandler before each response head is written; event-loop confined
    boolean headResponse;

    @Override
    protected boolean isContentAlwaysEmpty(HttpResponse msg) {
        return headResponse || super.isContentAlwaysEmpty(msg);
    }
}
