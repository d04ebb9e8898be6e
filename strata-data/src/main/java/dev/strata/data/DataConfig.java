package dev.strata.data;

import dev.strata.common.config.ByteSize;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Section {@code data} of the configuration: which PostgreSQL a service uses and how it pools
 * connections to it. Built-in defaults: {@code strata/defaults/data.yaml}.
 *
 * @param url JDBC URL of the database; empty means the embedded PostgreSQL of {@link #embedded()}
 * @param user role the service connects as (also the superuser the embedded server is created with)
 * @param password password of {@code user}; empty means none (the embedded server then trusts loopback)
 * @param replicaUrls JDBC URLs of the read replicas of {@code url}; empty with an empty {@code url}
 *     means the embedded replicas of {@link #replication()}
 */
public record DataConfig(String url, String user, String password, Pool pool, Embedded embedded,
                         List<String> replicaUrls, Replication replication, Routing routing) {

    public DataConfig {
        requireNonNull(url, "url");
        requireNonNull(user, "user");
        requireNonNull(password, "password");
        requireNonNull(pool, "pool");
        requireNonNull(embedded, "embedded");
        requireNonNull(replicaUrls, "replicaUrls");
        requireNonNull(replication, "replication");
        requireNonNull(routing, "routing");
        replicaUrls = List.copyOf(replicaUrls);
        if (user.isBlank()) {
            throw new IllegalArgumentException("user: '' (expected: a role name)");
        }
    }

    /** Like the generated form, with the password masked. */
    @Override
    public String toString() {
        return "DataConfig[url=%s, user=%s, password=%s, pool=%s, embedded=%s, replicaUrls=%s, replication=%s, routing=%s]"
                .formatted(url, user, password.isEmpty() ? "" : "****", pool, embedded, replicaUrls, replication, routing);
    }

    /** JDBC URLs of the read replicas: {@link #replicaUrls()}, or the embedded replicas' when {@code url} is empty. */
    public List<String> replicaJdbcUrls() {
        if (!replicaUrls.isEmpty() || !url.isBlank()) {
            return replicaUrls;
        }
        return java.util.stream.IntStream.rangeClosed(1, replication.replicas())
                .mapToObj(i -> embedded.replica(i).jdbcUrl()).toList();
    }

    /** The JDBC URL the service connects to: {@link #url()}, or the embedded server's when empty. */
    public String jdbcUrl() {
        return url.isBlank() ? embedded.jdbcUrl() : url;
    }

    /** A copy whose {@code url} is {@code jdbcUrl}. */
    public DataConfig withUrl(String jdbcUrl) {
        return new DataConfig(jdbcUrl, user, password, pool, embedded, replicaUrls, replication, routing);
    }

    /** A copy that reaches the given cluster: its primary at {@code primaryUrl}, its replicas at {@code replicas}. */
    public DataConfig withCluster(String primaryUrl, List<String> replicas) {
        return new DataConfig(primaryUrl, user, password, pool, embedded, replicas, replication, routing);
    }

    /** A copy with {@code replication} in place of this one's. */
    public DataConfig withReplication(Replication replication) {
        return new DataConfig(url, user, password, pool, embedded, replicaUrls, replication, routing);
    }

    /** A copy with {@code routing} in place of this one's. */
    public DataConfig withRouting(Routing routing) {
        return new DataConfig(url, user, password, pool, embedded, replicaUrls, replication, routing);
    }

    /** A copy whose embedded server lives in {@code dir} and listens on {@code port}. */
    public DataConfig withEmbedded(Path dir, int port) {
        return new DataConfig(url, user, password, pool,
                new Embedded(dir.toString(), embedded.host, port, embedded.database,
                        embedded.unprivilegedUser, embedded.startTimeout), replicaUrls, replication, routing);
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

        /**
         * The embedded replica number {@code index} (from 1) of this server: data in
         * {@code <dir>-replica-<index>}, listening on {@code port + index}.
         */
        public Embedded replica(int index) {
            if (index < 1 || port + index > 65535) {
                throw new IllegalArgumentException("index: %s (expected: 1..%s)".formatted(index, 65535 - port));
            }
            return new Embedded(dir + "-replica-" + index, host, port + index, database, unprivilegedUser, startTimeout);
        }
    }

    /**
     * Streaming replication of the embedded primary to its embedded replicas.
     *
     * @param replicas how many embedded replicas follow the primary (0: none)
     * @param role the role replicas connect as to stream WAL (created on the primary)
     * @param synchronousQuorum 0 streams asynchronously; N makes a commit wait until any N replicas
     *     have flushed it ({@code synchronous_standby_names = 'ANY N (*)'})
     * @param applyDelay each replica replays a commit only this long after it happened
     *     ({@code recovery_min_apply_delay}); for tests and demos of lag
     * @param maxSlotWalKeep WAL the primary keeps for a replica that is down; beyond it the slot is
     *     lost ({@code max_slot_wal_keep_size}) and the replica is rebuilt when it starts
     * @param rebuildBehind a replica whose slot is further behind than this when it starts is rebuilt
     *     from a fresh base backup instead of replaying
     */
    public record Replication(int replicas, String role, int synchronousQuorum, Duration applyDelay,
                              ByteSize maxSlotWalKeep, ByteSize rebuildBehind) {
        public Replication {
            requireNonNull(role, "role");
            requireNonNull(applyDelay, "applyDelay");
            requireNonNull(maxSlotWalKeep, "maxSlotWalKeep");
            requireNonNull(rebuildBehind, "rebuildBehind");
            if (replicas < 0 || replicas > 16) {
                throw new IllegalArgumentException("replicas: %s (expected: 0..16)".formatted(replicas));
            }
            if (!role.matches("[a-z_][a-z0-9_]{0,62}")) {
                throw new IllegalArgumentException("role: '%s' (expected: [a-z_][a-z0-9_]*)".formatted(role));
            }
            if (synchronousQuorum < 0) {
                throw new IllegalArgumentException("synchronousQuorum: %s (expected: >= 0)".formatted(synchronousQuorum));
            }
            if (applyDelay.isNegative()) {
                throw new IllegalArgumentException("applyDelay: %s (expected: >= 0)".formatted(applyDelay));
            }
            if (maxSlotWalKeep.bytes() < 1048576) {
                throw new IllegalArgumentException("maxSlotWalKeep: %s (expected: >= 1MiB)".formatted(maxSlotWalKeep));
            }
            if (rebuildBehind.bytes() <= 0) {
                throw new IllegalArgumentException("rebuildBehind: %s (expected: > 0)".formatted(rebuildBehind));
            }
        }

        /** A copy whose replicas replay with {@code delay}. */
        public Replication withApplyDelay(Duration delay) {
            return new Replication(replicas, role, synchronousQuorum, delay, maxSlotWalKeep, rebuildBehind);
        }
    }

    /**
     * How reads are spread over the replicas.
     *
     * @param maxLagBytes a replica whose replay position is further behind the primary's is shunned
     * @param maxLag a replica whose last replayed commit is older than this, while the primary has
     *     committed since, is shunned
     * @param pollInterval how often each node's position and lag are polled
     * @param ejection first time a replica that failed a read stays out; doubled on each further failure
     * @param maxEjection longest time a replica stays out after failures
     * @param tokenWait longest time a read with a consistency token waits for a replica to reach it
     *     before it goes to the primary
     * @param tokenTtl how long a consistency token is honoured after the write
     * @param primaryRetryAfter the {@code Retry-After} a write answered without a primary carries
     */
    public record Routing(ByteSize maxLagBytes, Duration maxLag, Duration pollInterval, Duration ejection,
                          Duration maxEjection, Duration tokenWait, Duration tokenTtl, Duration primaryRetryAfter) {
        public Routing {
            requireNonNull(maxLagBytes, "maxLagBytes");
            requirePositive(maxLag, "maxLag");
            requirePositive(pollInterval, "pollInterval");
            requirePositive(ejection, "ejection");
            requirePositive(maxEjection, "maxEjection");
            requirePositive(tokenWait, "tokenWait");
            requirePositive(tokenTtl, "tokenTtl");
            requirePositive(primaryRetryAfter, "primaryRetryAfter");
            if (maxEjection.compareTo(ejection) < 0) {
                throw new IllegalArgumentException("maxEjection: %s (expected: >= ejection, %s)".formatted(maxEjection, ejection));
            }
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
