package dev.strata.gateway.proxy;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.List;

/** Rewrites the heads that cross the proxy: hop-by-hop removal, re-framing, forwarding headers, Via. */
final class Headers {

    static final AsciiString PROXY_CONNECTION = AsciiString.cached("proxy-connection");
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    static final AsciiString FORWARDED = AsciiString.cached("forwarded");
    static final AsciiString X_SERVED_BY = AsciiString.cached("x-served-by");

    private static final AsciiString HTTP = AsciiString.cached("http");

    private Headers() {}

    /**
     * Removes the hop-by-hop headers of RFC 9110 §7.6.1: every header named in {@code Connection},
     * then Connection, Keep-Alive, Proxy-Connection, TE, Trailer, Transfer-Encoding and Upgrade.
     */
    static void removeHopByHop(HttpHeaders h) {
        if (h.contains(HttpHeaderNames.CONNECTION)) {
            for (String value : h.getAll(HttpHeaderNames.CONNECTION)) {
                int start = 0;
                while (start <= value.length()) {
                    int comma = value.indexOf(',', start);
                    int end = comma < 0 ? value.length() : comma;
                    String name = value.substring(start, end).strip();
                    if (!name.isEmpty()) {
                        h.remove(name);
                    }
                    start = end + 1;
                }
            }
            h.remove(HttpHeaderNames.CONNECTION);
        }
        h.remove(HttpHeaderNames.KEEP_ALIVE);
        h.remove(PROXY_CONNECTION);
        h.remove(HttpHeaderNames.TE);
        h.remove(HttpHeaderNames.TRAILER);
        h.remove(HttpHeaderNames.TRANSFER_ENCODING);
        h.remove(HttpHeaderNames.UPGRADE);
    }

    /**
     * Prepares a client request for the upstream: HTTP/1.1, hop-by-hop headers gone, re-framed
     * ({@code chunked} stays chunked, a Content-Length stays), forwarding headers and Via set.
     */
    static void forRequest(HttpRequest request, boolean chunked, String ip, String forwardedFor, boolean trusted,
                           String via) {
        HttpHeaders h = request.headers();
        removeHopByHop(h);
        h.remove(HttpHeaderNames.EXPECT);
        if (chunked) {
            h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        request.setProtocolVersion(HttpVersion.HTTP_1_1);

        String host = h.get(HttpHeaderNames.HOST);
        append(h, X_FORWARDED_FOR, trusted, ip);
        if (!trusted || !h.contains(X_FORWARDED_PROTO)) {
            h.set(X_FORWARDED_PROTO, HTTP);
        }
        if (!trusted || !h.contains(X_FORWARDED_HOST)) {
            if (host != null) {
                h.set(X_FORWARDED_HOST, host);
            } else {
                h.remove(X_FORWARDED_HOST);
            }
        }
        String fwd;
        if (host != null) {
            String quoted = host.indexOf('\\') < 0 && host.indexOf('"') < 0 ? host
                    : host.replace("\\", "\\\\").replace("\"", "\\\"");
            fwd = forwardedFor + ";host=\"" + quoted + "\";proto=http";
        } else {
            fwd = forwardedFor + ";proto=http";
        }
        append(h, FORWARDED, trusted, fwd);
        if (via != null) {
            append(h, HttpHeaderNames.VIA, true, via);
        }
    }

    /**
     * Prepares an upstream response for the client.
     *
     * @return whether the client connection must close after this response
     */
    static boolean forResponse(HttpResponse response, HttpVersion clientVersion, boolean headRequest,
                               boolean close, String via) {
        HttpHeaders h = response.headers();
        boolean chunked = chunked(response);
        boolean hasLength = h.contains(HttpHeaderNames.CONTENT_LENGTH);
        int code = response.status().code();
        boolean bodyless = code == 204 || code == 304 || (code >= 100 && code < 200);
        removeHopByHop(h);
        response.setProtocolVersion(HttpVersion.HTTP_1_1);
        boolean http11 = clientVersion.equals(HttpVersion.HTTP_1_1);
        if (!bodyless && (chunked || (!hasLength && !headRequest))) {
            // the upstream framed the body by chunks or by closing; re-frame it for this client
            if (http11) {
                h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            } else if (!headRequest) {
                close = true; // an HTTP/1.0 client reads to the end of the connection
            }
        }
        if (close) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (!http11) {
            h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        if (via != null) {
            append(h, HttpHeaderNames.VIA, true, via);
        }
        return close;
    }

    /** Whether the client asked to keep the connection open after this exchange. */
    static boolean keepAlive(HttpMessage m) {
        // most messages have no Connection header: one lookup instead of a value scan
        return m.headers().get(HttpHeaderNames.CONNECTION) == null
                ? m.protocolVersion().isKeepAliveDefault() : HttpUtil.isKeepAlive(m);
    }

    /** {@link HttpUtil#isTransferEncodingChunked}, with one lookup for the usual message without it. */
    static boolean chunked(HttpMessage m) {
        return m.headers().get(HttpHeaderNames.TRANSFER_ENCODING) != null && HttpUtil.isTransferEncodingChunked(m);
    }

    private static void append(HttpHeaders h, CharSequence name, boolean keepPrior, String value) {
        List<String> prior = keepPrior ? h.getAll(name) : List.of();
        if (!prior.isEmpty()) {
            StringBuilder sb = new StringBuilder(64);
            for (String p : prior) {
                sb.append(p).append(", ");
            }
            h.set(name, sb.append(value).toString());
        } else {
            h.set(name, value);
        }
    }
}
