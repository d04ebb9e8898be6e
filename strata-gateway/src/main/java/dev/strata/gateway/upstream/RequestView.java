package dev.strata.gateway.upstream;

/** What a balancing policy may read of a request to derive its hash key. */
public interface RequestView {

    /** The request target as received (path and query). */
    String uri();

    /** The first value of the named header field (any case), or {@code null}. */
    String header(String name);
}
