package dev.strata.links.api;

import dev.strata.common.http.Problem;
import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's errors (unparseable requests, headers too large, bad URIs, anything that never reached
 * the application) as problem details instead of Jetty's HTML pages.
 */
final class ProblemErrorHandler extends ErrorHandler {

    private final String nodeName;

    ProblemErrorHandler(String nodeName) {
        this.nodeName = nodeName;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = response.getStatus() >= 400 ? response.getStatus() : 500;
        if (request.getAttribute(ERROR_STATUS) instanceof Integer s && s >= 400 && s <= 599) {
            status = s;
        }
        String detail = request.getAttribute(ERROR_MESSAGE) instanceof String m && status < 500 ? m : null;
        response.setStatus(status);
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
        headers.put(HttpHeader.CACHE_CONTROL, "no-store");
        headers.put("X-Served-By", nodeName);
        response.write(true, ByteBuffer.wrap(Problem.of(status, detail).toBytes()), callback);
        return true;
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        int code = status >= 400 && status <= 599 ? status : 400;
        fields.put(HttpHeader.CONTENT_TYPE, Problem.MEDIA_TYPE);
        fields.put(HttpHeader.CACHE_CONTROL, "no-store");
        fields.put("X-Served-By", nodeName);
        return ByteBuffer.wrap(Problem.of(code, reason).toBytes());
    }
}
