package dev.strata.gateway.limit;

import dev.strata.gateway.filter.RequestView;
import dev.strata.gateway.key.RequestKey;
import java.util.Locale;
import java.util.Set;

/**
 * One rule: which requests it counts ({@code route}, {@code host}, {@code pathPrefix}, {@code methods};
 * {@code null} or empty matches any), by what key, under what limit. A host with a port matches only
 * requests whose Host names that port; without one, any port.
 */
record Rule(Limit limit, String route, String host, String pathPrefix, Set<String> methods, RequestKey key) {

    boolean matches(String requestRoute, RequestView request) {
        if (route != null && !route.equals(requestRoute)) {
            return false;
        }
        if (pathPrefix != null && !request.path().startsWith(pathPrefix)) {
            return false;
        }
        if (!methods.isEmpty() && !methods.contains(request.method())) {
            return false;
        }
        if (host == null) {
            return true;
        }
        String h = request.host();
        return hasPort(host) ? h != null && host.equalsIgnoreCase(h) : host.equals(hostName(h));
    }

    /** Whether a configured host names a port too ({@code example.com:8443}, {@code [::1]:8080}). */
    static boolean hasPort(String host) {
        return host.matches(".*[^:]:[0-9]+") && (!host.startsWith("[") || host.contains("]:"));
    }

    String name() {
        return limit.name();
    }

    /** The host of a Host value without its port, lower case; {@code null} stays. */
    static String hostName(String host) {
        if (host == null) {
            return null;
        }
        int end = host.length();
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            end = close < 0 ? end : close + 1;
        } else {
            int colon = host.lastIndexOf(':');
            end = colon < 0 ? end : colon;
        }
        return host.substring(0, end).toLowerCase(Locale.ROOT);
    }
}
