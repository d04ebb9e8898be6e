package dev.strata.gateway.proxy;

import dev.strata.common.http.Problem;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;

/** The gateway's own responses: RFC 9457 problem details, never a stack trace. */
final class Errors {

    private Errors() {}

    /**
     * A problem response as bytes on the wire; {@code close} adds {@code Connection: close},
     * {@code retryAfter} adds {@code Retry-After} (seconds) unless {@code null}, and a response to HEAD
     * has the headers and no body.
     */
    static ByteBuf problem(ByteBufAllocator alloc, int status, String detail, String instance, String servedBy,
                                boolean close, Integer retryAfter, boolean headRequest) {
        byte[] body = Problem.of(status, detail).withInstance(instance).toBytes();
        StringBuilder head = new StringBuilder(192)
                .append("HTTP/1.1 ").append(status).append(' ')
                .append(HttpResponseStatus.valueOf(status).reasonPhrase()).append("\r\n")
                .append("Content-Type: ").append(Problem.MEDIA_TYPE).append("\r\n")
                .append("Content-Length: ").append(body.length).append("\r\n")
                .append("Cache-Control: no-store\r\n");
        if (servedBy != null) {
            head.append("X-Served-By: ").append(servedBy).append("\r\n");
        }
        if (retryAfter != null) {
            head.append("Retry-After: ").append(retryAfter).append("\r\n");
        }
        if (close) {
            head.append("Connection: close\r\n");
        }
        head.append("\r\n");
        byte[] h = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        ByteBuf out = alloc.directBuffer(h.length + (headRequest ? 0 : body.length)).writeBytes(h);
        return headRequest ? out : out.writeBytes(body);
    }
}
