package dev.strata.gateway.cache;

import dev.strata.gateway.testing.RawClient;
import io.netty.handler.codec.DateFormatter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Date;

/** One request per connection, and HTTP dates relative to now, for the cache's tests. */
final class Http {

    private Http() {}

    /** {@code METHOD path} with {@code headers} as name/value pairs; reads the response. */
    static RawClient.Response call(InetSocketAddress gateway, String method, String path, String... headers)
            throws IOException {
        StringBuilder sb = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\nHost: cache.test\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            sb.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        if (!method.equals("GET") && !method.equals("HEAD")) {
            sb.append("Content-Length: 0\r\n");
        }
        sb.append("Connection: close\r\n\r\n");
        try (RawClient c = new RawClient(gateway)) {
            return c.send(sb.toString()).read(method.equals("HEAD"));
        }
    }

    static RawClient.Response get(InetSocketAddress gateway, String path, String... headers) throws IOException {
        return call(gateway, "GET", path, headers);
    }

    /** An IMF-fixdate {@code seconds} from now (negative: in the past). */
    static String date(long seconds) {
        return DateFormatter.format(new Date(System.currentTimeMillis() + seconds * 1000));
    }
}
