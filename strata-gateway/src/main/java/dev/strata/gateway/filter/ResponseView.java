package dev.strata.gateway.filter;

import java.util.List;

/** A response head as filters read it: the upstream's, or a local response's. Read-only. */
public interface ResponseView {

    int status();

    /** The first value of the named field (any case), or {@code null}. */
    String header(String name);

    /** Every value of the named field (any case), in order; empty when absent. */
    List<String> headers(String name);

    /** Every field as name/value pairs, in order: {@code [name0, value0, name1, value1, ...]}. */
    List<String> fields();

    /** Whether the gateway produced this response itself. */
    boolean local();

    /**
     * A copy that stays valid after the call that handed this view over (the proxy's view is only
     * valid during it). Costs a copy of the head; ask only when the head is to be kept.
     */
    ResponseView copy();
}
