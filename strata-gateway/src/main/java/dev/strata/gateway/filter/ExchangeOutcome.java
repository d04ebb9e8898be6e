package dev.strata.gateway.filter;

/** How one request ended, as its observers and the access log see it. */
public interface ExchangeOutcome {

    /** The status the client got (499 when it went away first). */
    int status();

    /** Bytes of the response body passed on. */
    long bytesSent();

    /** From the request head's arrival to the end. */
    long durationNanos();

    /** Whether the client got the whole response. */
    boolean complete();

    /** Whether the gateway answered itself (an error, a filter's response). */
    boolean local();

    /** The endpoint of the last attempt ({@code host:port}), or {@code null} when none was tried. */
    String endpoint();
}
