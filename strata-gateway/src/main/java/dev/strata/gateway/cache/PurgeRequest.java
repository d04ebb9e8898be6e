package dev.strata.gateway.cache;

import java.util.List;

/**
 * What a purge removes, as {@code POST /_strata/purge} takes it and as another gateway forwards it:
 * stored responses by URL ({@code http://host/path?query}, or a path with its query for every host),
 * by tag (from {@code Surrogate-Key} or {@code Cache-Tag}), or by path prefix. Hard removes them; soft
 * marks them stale, so that stale-while-revalidate and stale-if-error still have them.
 *
 * @param urls   exact URLs or targets; may be empty
 * @param tags   tags; may be empty
 * @param prefix a path prefix starting with {@code /}, or {@code null}
 * @param soft   mark stale instead of removing
 * @param position the data position (a PostgreSQL LSN, {@code 16/B374D848}) of the write that made the
 *               tags stale, or {@code null}: the stores it reaches then keep no response for those tags
 *               read before it (their {@code positions} fences)
 */
public record PurgeRequest(List<String> urls, List<String> tags, String prefix, boolean soft, String position) {

    /** A purge that carries no position. */
    public PurgeRequest(List<String> urls, List<String> tags, String prefix, boolean soft) {
        this(urls, tags, prefix, soft, null);
    }

    /** The most URLs and tags one request may name. */
    public static final int MAX_ITEMS = 10_000;

    public PurgeRequest {
        urls = urls == null ? List.of() : List.copyOf(urls);
        tags = tags == null ? List.of() : List.copyOf(tags);
        if (urls.size() + tags.size() > MAX_ITEMS) {
            throw new IllegalArgumentException("urls, tags: " + (urls.size() + tags.size())
                    + " items (expected: at most " + MAX_ITEMS + ")");
        }
        if (prefix != null && !prefix.startsWith("/")) {
            throw new IllegalArgumentException("prefix: " + prefix + " (expected: a path starting with /)");
        }
        if (urls.isEmpty() && tags.isEmpty() && prefix == null) {
            throw new IllegalArgumentException("a purge names nothing (expected: urls, tags or prefix)");
        }
        for (String u : urls) {
            if (u == null || !(u.startsWith("/") || u.startsWith("http://") || u.startsWith("https://"))) {
                throw new IllegalArgumentException("urls: " + u + " (expected: http://host/path or /path)");
            }
        }
        for (String t : tags) {
            if (t == null || t.isBlank()) {
                throw new IllegalArgumentException("tags: an empty tag");
            }
        }
        if (position != null && Positions.parse(position) == Positions.NONE) {
            throw new IllegalArgumentException("position: " + (position.length() > 32 ? position.substring(0, 32)
                    + "..." : position) + " (expected: a PostgreSQL LSN such as 16/B374D848)");
        }
    }
}
