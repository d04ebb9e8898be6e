package dev.strata.gateway.proxy;

import java.util.stream.Stream;
import org.junit.jupiter.params.provider.Arguments;

/** Requests that must be refused with 400 before any byte of them reaches an upstream. */
final class Attacks {

    private Attacks() {}

    static Stream<Arguments> all() {
        return Stream.of(
                a("content-length and transfer-encoding",
                        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                a("transfer-encoding and content-length",
                        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n"),
                a("duplicate content-length, same value",
                        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello"),
                a("duplicate content-length, different values",
                        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
                a("content-length list", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello"),
                a("content-length not a number", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n"),
                a("content-length negative", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"),
                a("content-length with sign", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello"),
                a("content-length hex", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\nhello"),
                a("final coding not chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nhello"),
                a("chunked not last", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n"),
                a("chunked twice", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                a("unknown coding", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"),
                a("transfer-encoding on HTTP/1.0", "POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
                a("obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n  folded\r\n\r\n"),
                a("obs-fold with tab", "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\n\tfolded\r\n\r\n"),
                a("whitespace before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n"),
                a("tab before colon", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length\t: 5\r\n\r\nhello"),
                a("invalid chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"),
                a("negative chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n"),
                a("overflowing chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff1\r\nhello\r\n0\r\n\r\n"),
                a("header name with @", "GET / HTTP/1.1\r\nHost: a\r\nX@A: 1\r\n\r\n"),
                a("header name with space", "GET / HTTP/1.1\r\nHost: a\r\nX A: 1\r\n\r\n"),
                a("empty header name", "GET / HTTP/1.1\r\nHost: a\r\n: 1\r\n\r\n"),
                a("header line without colon", "GET / HTTP/1.1\r\nHost: a\r\nnocolon\r\n\r\n"),
                a("NUL in value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: a\u0000b\r\n\r\n"),
                a("CTL in value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: a\u0001b\r\n\r\n"),
                a("DEL in value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: a\u007fb\r\n\r\n"),
                a("bare CR in value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: a\rb\r\n\r\n"),
                a("bare LF line ending", "GET / HTTP/1.1\nHost: a\n\n"),
                a("CTL in request line", "GET /a\u0001b HTTP/1.1\r\nHost: a\r\n\r\n"),
                a("two host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
                a("no host on HTTP/1.1", "GET / HTTP/1.1\r\nX-A: 1\r\n\r\n"));
    }

    private static Arguments a(String name, String request) {
        return Arguments.of(name, request);
    }
}
