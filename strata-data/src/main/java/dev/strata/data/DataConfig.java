package dev.strata.data;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Section {@code data} of the configuration: which PostgreSQL a service uses and how it pools
 * connections to it. Built-in defaults: {@code strata/defaults/data.yaml}.
 *
 * @param url JDBC URL of the database; empty means the embedded PostgreSQL of {@link #embedded()}
 * @param user role the service connects as (also the superuser the embedded server is created with)
 * @param password password of {@code user}; empty means none (the embedded server then trusts loopback)
 */
public record DataConfig(String url, String user, String password, Pool pool, Embedded embedded) {

    public DataConfig {
        requireNonNull(url, "url");
        requireNonNull(user, "user");
        requireNonNull(password, "password");
        requireNonNull(pool, "pool");
        requireNonNull(embedded, "embedded");
        if (user.isBlank()) {
            throw new IllegalArgumentException("user: '' (expected: a role name)");
        }
    }

    /** Like the generated form, with the password masked. */
    @Override
    public String toString() {
        return "DataConfig[url=%s, user=%s, password=%s, pool=%s, embedded=%s]"
                .formatted(url, user, password.isEmpty() ? "" : "****", pool, embedded);
    }

    /** The JDBC URL the service connects to: {@link #url()}, or the embedded server's when empty. */
    public String jdbcUrl() {
        return url.isBlank() ? embedded.jdbcUrl() : url;
    }

    /** A copy whose {@code url} is {@code jdbcUrl}. */
    public DataConfig withUrl(String jdbcUrl) {
        return new DataConfig(jdbcUrl, user, password, pool, embedded);
    }

    /** A copy whose embedded server lives in {@code dir} and listens on {@code port}. */
    public DataConfig withEmbedded(Path dir, int port) {
        return new DataConfig(url, user, password, pool,
                new Embedded(dir.toString(), embedded.host, port, embedded.database,
                        embedded.unprivilegedUser, embedded.startTimeout));
    }

    /**
     * The HikariCP pool.
     *
     * @param maxSize most connections open at once
     * @param minIdle idle connections kept ready
     * @param connectionTimeout longest wait for a connection from the pool
     * @param idleTimeout an idle connection above {@code minIdle} is closed after this
     * @param maxLifetime a connection is retired after this
     */
    public record Pool(int maxSize, int minIdle, Duration connectionTimeout, Duration idleTimeout,
                       Duration maxLifetime) {
        public Pool {
            if (maxSize <= 0) {
                throw new IllegalArgumentException("maxSize: %s (expected: > 0)".formatted(maxSize));
            }
            if (minIdle < 0 || minIdle > maxSize) {
                throw new IllegalArgumentException("minIdle: %s (expected: 0..maxSize)".formatted(minIdle));
            }
            requirePositive(connectionTimeout, "connectionTimeout");
            requirePositive(idleTimeout, "idleTimeout");
            requirePositive(maxLifetime, "maxLifetime");
        }
    }

    /**
     * The embedded PostgreSQL server.
     *
     * @param dir folder of the data directory; binaries are unpacked next to it
     * @param host address it listens on
     * @param port port it listens on
     * @param database database created on first start
     * @param unprivilegedUser OS account that runs the server when Strata runs as root
     * @param startTimeout longest wait until the server accepts connections
     */
    public record Embedded(String dir, String host, int port, String database, String unprivilegedUser,
                           Duration startTimeout) {
        public Embedded {
            requireNonNull(dir, "dir");
            requireNonNull(host, "host");
            requireNonNull(database, "database");
            requireNonNull(unprivilegedUser, "unprivilegedUser");
            requirePositive(startTimeout, "startTimeout");
            if (dir.isBlank()) {
                throw new IllegalArgumentException("dir: '' (expected: a folder)");
            }
            if (port <= 0 || port > 65535) {
                throw new IllegalArgumentException("port: %s (expected: 1..65535)".formatted(port));
            }
            if (!database.matches("[A-Za-z_][A-Za-z0-9_]{0,62}")) {
                throw new IllegalArgumentException("database: '%s' (expected: [A-Za-z_][A-Za-z0-9_]*)".formatted(database));
            }
        }

        public String jdbcUrl() {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database;
        }
    }

    private static void requireNonNull(Object value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + ": null (expected: a value)");
        }
    }

    private static void requirePositive(Duration value, String name) {
        requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("%s: %s (expected: > 0)".formatted(name, value));
        }
    }
}
