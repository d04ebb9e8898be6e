package dev.strata.gateway.filter;

import java.net.InetAddress;
import java.util.List;

/**
 * A request in flight as filters, balancing policies and request keys read it: after routing, before
 * anything is sent upstream. Read-only; what a filter wants to change it says through
 * {@link HeaderEdits}. It speaks of requests, not of HTTP/1.1 bytes, so that any listener can feed it.
 */
public interface RequestView {

    /** The method, as sent (case-sensitive, RFC 9110 §9.1). */
    String method();

    /** The request target as received (origin-form path and query, or absolute-form). */
    String target();

    /** The path of the target, without the query; {@code /} for an absolute-form target with none. */
    String path();

    /** The query of the target without {@code ?}, or {@code null} when there is none. */
    String query();

    /** The host the request names (Host, or the authority of an absolute-form target), or {@code null}. */
    String host();

    /**
     * The client's address as the trusted-proxy rules give it: the peer's address, or, when the peer is a
     * trusted proxy, the right-most address of {@code X-Forwarded-For} that is not a trusted proxy;
     * {@code null} when unknown.
     */
    InetAddress clientAddress();

    /** {@link #clientAddress()} as text ({@link InetAddress#getHostAddress()}), or {@code null} when unknown. */
    default String clientIp() {
        InetAddress a = clientAddress();
        return a == null ? null : a.getHostAddress();
    }

    /** The first value of the named field (any case), or {@code null}. */
    String header(String name);

    /** Every value of the named field (any case), in order; empty when absent. */
    List<String> headers(String name);
}
