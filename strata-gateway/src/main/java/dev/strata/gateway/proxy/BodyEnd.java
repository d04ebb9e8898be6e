package dev.strata.gateway.proxy;

/** The end of a message's body, with the raw trailer field lines of a chunked body (each ending in CRLF). */
final class BodyEnd {

    static final BodyEnd EMPTY = new BodyEnd(null);

    /** Trailer field lines as received (validated like header lines), or {@code null} when there are none. */
    final byte[] trailers;

    BodyEnd(byte[] trailers) {
        this.trailers = trailers;
    }
}
