package dev.strata.gateway.route;

import dev.strata.gateway.config.RouteConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Maps a request's host and path to a route. Immutable; built once per configuration and shared by
 * every event loop.
 *
 * <p>Host tiers are tried in order: the exact host, then wildcard suffixes ({@code *.example.com},
 * longest first), then {@code *}. Within the first tier that has a route whose {@code path_prefix}
 * is a prefix of the path, the longest prefix wins.
 */
public final class Router {

    private final Map<String, List<RouteConfig>> exact = new HashMap<>();
    private final List<Map.Entry<String, List<RouteConfig>>> wildcards = new ArrayList<>();
    private final List<RouteConfig> any = new ArrayList<>();

    public Router(List<RouteConfig> routes) {
        Map<String, List<RouteConfig>> wild = new HashMap<>();
        for (RouteConfig r : routes) {
            if (r.host().equals("*")) {
                any.add(r);
            } else if (r.host().startsWith("*.")) {
                wild.computeIfAbsent(r.host().substring(1), k -> new ArrayList<>()).add(r);
            } else {
                exact.computeIfAbsent(r.host(), k -> new ArrayList<>()).add(r);
            }
        }
        Comparator<RouteConfig> longestFirst = Comparator.comparingInt((RouteConfig r) -> r.pathPrefix().length()).reversed();
        exact.values().forEach(l -> l.sort(longestFirst));
        wild.values().forEach(l -> l.sort(longestFirst));
        any.sort(longestFirst);
        wildcards.addAll(wild.entrySet());
        wildcards.sort(Comparator.comparingInt((Map.Entry<String, List<RouteConfig>> e) -> e.getKey().length()).reversed());
    }

    /** Whether any route names a host: if none does, {@link #match} ignores the host it is given. */
    public boolean byHost() {
        return !exact.isEmpty() || !wildcards.isEmpty();
    }

    /**
     * The route for a request, or {@code null}.
     *
     * @param host the Host header (any port is ignored; may be {@code null})
     * @param path the request path (origin form, query allowed)
     */
    public RouteConfig match(String host, String path) {
        if (!byHost()) {
            return byPath(any, path); // host-independent routes only: no need to normalize the host
        }
        String h = normalizeHost(host);
        if (h != null) {
            List<RouteConfig> byHost = exact.get(h);
            RouteConfig r = byPath(byHost, path);
            if (r != null) {
                return r;
            }
            for (Map.Entry<String, List<RouteConfig>> w : wildcards) {
                if (h.endsWith(w.getKey()) && h.length() > w.getKey().length()) {
                    r = byPath(w.getValue(), path);
                    if (r != null) {
                        return r;
                    }
                }
            }
        }
        return byPath(any, path);
    }

    private static RouteConfig byPath(List<RouteConfig> routes, String path) {
        if (routes == null) {
            return null;
        }
        for (RouteConfig r : routes) {
            if (path.startsWith(r.pathPrefix())) {
                return r;
            }
        }
        return null;
    }

    static String normalizeHost(String host) {
        if (host == null || host.isEmpty()) {
            return null;
        }
        String h = host;
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h.toLowerCase(Locale.ROOT) : h.substring(0, end + 1).toLowerCase(Locale.ROOT);
        }
        int colon = h.indexOf(':');
        if (colon >= 0) {
            h = h.substring(0, colon);
        }
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        for (int i = 0; i < h.length(); i++) {
            char c = h.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                return h.toLowerCase(Locale.ROOT);
            }
        }
        return h;
    }
}
