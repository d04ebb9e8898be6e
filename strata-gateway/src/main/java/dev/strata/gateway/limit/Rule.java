package dev.strata.gateway.limit;

import dev.strata.gateway.filter.RequestView;
import dev.strata.gateway.key.RequestKey;
import java.util.Locale;
import java.util.Set;

/**
 * One rule: which requests it counts ({@code route}, {@code host}, {@code pathPrefix}, {@code methods};
 * {@code null} or empty matches any), by what key, under what limit.
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
        return host == null || host.equals(hostName(request.host()));
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
