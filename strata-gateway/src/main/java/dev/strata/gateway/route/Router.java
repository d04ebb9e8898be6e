package dev.strata.gateway.route;

import dev.strata.gateway.config.RouteConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Maps a request's host and path to a route. Immutable; built once per configuration and shared by
 * every event loop.
 *
 * <p>Host tiers are tried in order: the exact host, then wildcard suffixes ({@code *.example.com},
 * longest first), then {@code *}. Within the first tier that has a route whose {@code path_prefix}
 * is a prefix of the path, the longest prefix wins.
 *
 * @param <T> what a route resolves to (its configuration, or what the request path built from it)
 */
public final class Router<T> {

    private final Map<String, List<T>> exact = new HashMap<>();
    private final List<Map.Entry<String, List<T>>> wildcards = new ArrayList<>();
    private final List<T> any = new ArrayList<>();
    private final Function<T, RouteConfig> config;

    /** A router over the routes themselves. */
    public static Router<RouteConfig> of(List<RouteConfig> routes) {
        return new Router<>(routes, Function.identity());
    }

    /** A router over {@code targets}, each of the route {@code config} gives. */
    public Router(List<T> targets, Function<T, RouteConfig> config) {
        this.config = config;
        Map<String, List<T>> wild = new HashMap<>();
        for (T t : targets) {
            RouteConfig r = config.apply(t);
            if (r.host().equals("*")) {
                any.add(t);
            } else if (r.host().startsWith("*.")) {
                wild.computeIfAbsent(r.host().substring(1), k -> new ArrayList<>()).add(t);
            } else {
                exact.computeIfAbsent(r.host(), k -> new ArrayList<>()).add(t);
            }
        }
        Comparator<T> longestFirst = Comparator.comparingInt((T t) -> config.apply(t).pathPrefix().length()).reversed();
        exact.values().forEach(l -> l.sort(longestFirst));
        wild.values().forEach(l -> l.sort(longestFirst));
        any.sort(longestFirst);
        wildcards.addAll(wild.entrySet());
        wildcards.sort(Comparator.comparingInt((Map.Entry<String, List<T>> e) -> e.getKey().length()).reversed());
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
    public T match(String host, String path) {
        if (!byHost()) {
            return byPath(any, path); // host-independent routes only: no need to normalize the host
        }
        String h = normalizeHost(host);
        if (h != null) {
            List<T> byHost = exact.get(h);
            T r = byPath(byHost, path);
            if (r != null) {
                return r;
            }
            for (Map.Entry<String, List<T>> w : wildcards) {
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

    private T byPath(List<T> routes, String path) {
        if (routes == null) {
            return null;
        }
        for (int i = 0, n = routes.size(); i < n; i++) {
            T t = routes.get(i);
            if (path.startsWith(config.apply(t).pathPrefix())) {
                return t;
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
