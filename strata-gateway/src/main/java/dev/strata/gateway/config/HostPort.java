package dev.strata.gateway.config;

import java.net.InetSocketAddress;

/** Parses {@code host:port} and {@code [v6]:port}; the host must be a literal address or a name. */
public final class HostPort {

    private HostPort() {}

    public static InetSocketAddress parse(String key, String text) {
        if (text == null) {
            throw new IllegalArgumentException(key + ": null (expected: host:port)");
        }
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException(key + ": '" + text + "' (expected: host:port)");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + ": '" + text + "' (expected: host:port)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException(key + ": '" + text + "' (expected: port 0..65535)");
        }
        return new InetSocketAddress(host, port);
    }
}
