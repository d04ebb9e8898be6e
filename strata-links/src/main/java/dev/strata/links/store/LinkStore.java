package dev.strata.links.store;

import dev.strata.data.route.DatabaseRouter;
import dev.strata.data.route.ReadAt;
import dev.strata.data.route.WalPosition;
import dev.strata.data.route.Written;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@code links} table. Every method is one statement or one transaction; nothing is cached.
 * Writes run on the primary and return the WAL position after their commit; reads run where the
 * router sends them, at least as fresh as the position they are given ({@code null}: within
 * {@code max_lag}).
 */
public final class LinkStore {

    /** Where the table's Flyway migrations live. */
    public static final String MIGRATIONS = "classpath:db/migration/links";

    private final DatabaseRouter router;

    public LinkStore(DatabaseRouter router) {
        this.router = router;
    }

    /** Inserts a link unless {@code code} is taken; empty when it is. */
    public Written<Optional<Link>> insertIfAbsent(String code, String url) throws SQLException {
        String sql = "INSERT INTO links (code, url) VALUES (?, ?) ON CONFLICT (code) DO NOTHING "
                + "RETURNING code, url, clicks, created_at, updated_at";
        return router.write(c -> {
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, code);
                ps.setString(2, url);
                return single(ps);
            }
        });
    }

    /** The link, with the position of the data it was read from. */
    public ReadAt<Optional<Link>> find(String code, WalPosition atLeast) throws SQLException {
        return router.readAt(atLeast, c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT code, url, clicks, created_at, updated_at FROM links WHERE code = ?")) {
                ps.setString(1, code);
                return single(ps);
            }
        });
    }

    /** The target URL only (the redirect's query). */
    public ReadAt<Optional<String>> findUrl(String code, WalPosition atLeast) throws SQLException {
        return router.readAt(atLeast, c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT url FROM links WHERE code = ?")) {
                ps.setString(1, code);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    /** Points {@code code} at {@code url}; empty when there is no such link. */
    public Written<Optional<Link>> updateUrl(String code, String url) throws SQLException {
        return router.write(c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "UPDATE links SET url = ?, updated_at = now() WHERE code = ? "
                            + "RETURNING code, url, clicks, created_at, updated_at")) {
                ps.setString(1, url);
                ps.setString(2, code);
                return single(ps);
            }
        });
    }

    /** Deletes the link; whether there was one. */
    public Written<Boolean> delete(String code) throws SQLException {
        return router.write(c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM links WHERE code = ?")) {
                ps.setString(1, code);
                return ps.executeUpdate() > 0;
            }
        });
    }

    /**
     * Adds click counts in one transaction on the primary. Rows are updated in code order so that
     * two nodes flushing at once never deadlock; counts for links deleted meanwhile are dropped.
     */
    public void addClicks(Map<String, Long> clicksByCode) throws SQLException {
        if (clicksByCode.isEmpty()) {
            return;
        }
        router.write((Connection c) -> {
            try (PreparedStatement ps = c.prepareStatement("UPDATE links SET clicks = clicks + ? WHERE code = ?")) {
                for (Map.Entry<String, Long> e : new TreeMap<>(clicksByCode).entrySet()) {
                    ps.setLong(1, e.getValue());
                    ps.setString(2, e.getKey());
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return null;
        });
    }

    private static Optional<Link> single(PreparedStatement ps) throws SQLException {
        try (ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                return Optional.empty();
            }
            return Optional.of(new Link(rs.getString(1), rs.getString(2), rs.getLong(3),
                    rs.getTimestamp(4).toInstant(), rs.getTimestamp(5).toInstant()));
        }
    }
}
