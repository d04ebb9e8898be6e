package dev.strata.gateway.proxy;

import dev.strata.common.http.Problem;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/** The gateway's own responses: RFC 9457 problem details, never a stack trace. */
public final class Errors {

    private Errors() {}

    /** A problem response; {@code close} adds {@code Connection: close}. */
    public static FullHttpResponse problem(ByteBufAllocator alloc, int status, String detail, String instance,
                                           String servedBy, boolean close) {
        byte[] body = Problem.of(status, detail).withInstance(instance).toBytes();
        DefaultFullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status),
                alloc.buffer(body.length).writeBytes(body));
        r.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
        if (servedBy != null) {
            r.headers().set(Headers.X_SERVED_BY, servedBy);
        }
        if (close) {
            r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        return r;
    }
}
