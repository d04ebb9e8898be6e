package dev.strata.data.route;

import dev.strata.data.DataConfig;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design notes
 *
 * Invariant: a read runs on a replica only if that replica is known to be fresh enough for it;
 * everything else runs on the primary. "Known" means: its last poll put it within max_lag of the
 * primary, both in bytes (primary's insert position minus the replica's replay position) and in
 * time; and, for a read that carries a position (a consistency token), its replay position,
 * polled or asked on the very connection the read then uses, has reached that position. A replica
 * only moves forward, so a position seen once stays true. Hence a read without a token sees data at
 * most max_lag (plus one poll interval) old, and a read with a token always sees the write that
 * made it, whatever node serves it.
 *
 * Lag in time: see LagPoller.
 *
 * Failures. A read that fails because of the node (connection lost or refused, server shutting
 * down) ejects the node, for routing.ejection doubled on each further failure up to max_ejection,
 * and runs again on the next candidate, the primary last; a conflict with recovery (40001 on a hot
 * standby) tries elsewhere without ejecting. Any other error is the query's and is thrown. Reads
 * must therefore be safe to run twice: they are reads. Writes are never retried; without a
 * primary they fail at once with PrimaryUnavailableException (the poll said it is down) or within
 * the pool's connection timeout (it died since). While the primary is down, lag cannot be measured
 * and no fresher node exists, so every replica that answers serves reads without a position (the
 * read-only mode); a read with a position still waits for a replica that has it, or fails.
 *
 * Choice. Among the candidates, the one with the fewest queries in flight, ties broken round robin.
 *
 * Threads: each node is polled by one task of LagPoller's scheduled pool, so a node's poll fields
 * have one writer; routing reads them without locks.
 */
/**
 * Routes a service's queries over a PostgreSQL primary and its streaming replicas: writes and
 * transactions to the primary, reads to the least-busy healthy replica within
 * {@code routing.max_lag}, a read with a WAL position only to a replica that has replayed it. One
 * HikariCP pool per node. Works with any cluster given by JDBC URLs ({@code data.url} and
 * {@code data.replica_urls}) as well as with the embedded one.
 */
public final class DatabaseRouter implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseRouter.class);

    private final DataConfig config;
    private final DbNode primary;
    private final List<DbNode> replicas;
    private final LagPoller lag;
    private final AtomicInteger rotation = new AtomicInteger();
    private final LongAdder tokenReads = new LongAdder();
    private final LongAdder tokenWaits = new LongAdder();
    private final LongAdder primaryFallbacks = new LongAdder();
    private final AtomicReference<CompletableFuture<Boolean>> probe = new AtomicReference<>();

    private DatabaseRouter(DataConfig config, DbNode primary, List<DbNode> replicas) {
        this.config = config;
        this.primary = primary;
        this.replicas = replicas;
        this.lag = new LagPoller(config, primary, replicas);
    }

    /**
     * Opens a pool per node and applies the migrations at {@code migrationLocations} on the primary,
     * which must be reachable; replicas that are down join when they come up.
     *
     * @param name names the pools in logs and thread names
     */
    public static DatabaseRouter open(String name, DataConfig config, List<String> migrationLocations) {
        DbNode primary = new DbNode(name, "primary", true, config.jdbcUrl(), config);
        List<DbNode> replicas = new ArrayList<>();
        DatabaseRouter router = null;
        try {
            List<String> urls = config.replicaJdbcUrls();
            for (int i = 0; i < urls.size(); i++) {
                replicas.add(new DbNode(name, "replica-" + (i + 1), false, urls.get(i), config));
            }
            router = new DatabaseRouter(config, primary, List.copyOf(replicas));
            router.migrate(name, migrationLocations);
            router.lag.start();
            return router;
        } catch (RuntimeException e) {
            if (router != null) {
                router.close();
            } else {
                primary.close();
                replicas.forEach(DbNode::close);
            }
            throw e;
        }
    }

    /** The primary's pool, for work that must see the primary whatever the routing (batched writes). */
    public DataSource primaryDataSource() {
        return primary.pool;
    }

    /**
     * What the service can do now: {@code read-write} when the primary answers {@code SELECT 1}
     * within {@code timeout} (asked now; concurrent callers share one probe), {@code read-only}
     * when it does not but a replica answered its last poll, {@code down} otherwise.
     */
    public String mode(Duration timeout) {
        CompletableFuture<Boolean> current = probe.get();
        if (current == null || current.isDone()) {
            CompletableFuture<Boolean> fresh = new CompletableFuture<>();
            if (probe.compareAndSet(current, fresh)) {
                Thread.ofVirtual().name("strata-db-probe").start(() -> fresh.complete(selectOne()));
                current = fresh;
            } else {
                current = probe.get();
            }
        }
        boolean primaryUp;
        try {
            primaryUp = current.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            primaryUp = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            primaryUp = false;
        }
        if (primaryUp) {
            return "read-write";
        }
        return replicas.stream().anyMatch(r -> r.reachable) ? "read-only" : "down";
    }

    private boolean selectOne() {
        try (Connection c = primary.pool.getConnection(); Statement s = c.createStatement()) {
            s.setQueryTimeout(5);
            s.execute("SELECT 1");
            return true;
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    /** Whether the primary answered its last poll; without it the service is read-only. */
    public boolean primaryAvailable() {
        return primary.reachable;
    }

    /** Runs {@code work} in one transaction on the primary and returns its result with the WAL position after the commit. */
    public <T> Written<T> write(SqlWork<T> work) throws SQLException {
        if (!primary.reachable) {
            throw unavailable(null);
        }
        Connection c;
        try {
            c = primary.pool.getConnection();
        } catch (SQLException e) {
            throw unavailable(e);
        }
        primary.inFlight.incrementAndGet();
        primary.queries.increment();
        try (c) {
            T value;
            c.setAutoCommit(false);
            try {
                value = work.run(c);
                c.commit();
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c);
                if (e instanceof SQLException sql && nodeFault(sql)) {
                    throw unavailable(sql);
                }
                throw e;
            } finally {
                try {
                    c.setAutoCommit(true);
                } catch (SQLException broken) {
                    // the pool drops a broken connection; the write's own outcome stands
                }
            }
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
                rs.next();
                return new Written<>(value, WalPosition.parse(rs.getString(1)));
            }
        } finally {
            primary.inFlight.decrementAndGet();
        }
    }

    /** Runs {@code work}, a read, on a replica within {@code max_lag}, or on the primary when none is. */
    public <T> T read(SqlWork<T> work) throws SQLException {
        return read(null, work);
    }

    /**
     * Runs {@code work}, a read, on a replica that has replayed {@code atLeast} (waiting up to
     * {@code routing.token_wait} for one), or on the primary; {@code null} reads as {@link #read(SqlWork)}.
     */
    public <T> T read(WalPosition atLeast, SqlWork<T> work) throws SQLException {
        return readAt(atLeast, work).value();
    }

    /** As {@link #read(WalPosition, SqlWork)}, with the position the data read is at least as fresh as. */
    public <T> ReadAt<T> readAt(WalPosition atLeast, SqlWork<T> work) throws SQLException {
        Set<DbNode> tried = new HashSet<>();
        long deadline = System.nanoTime() + config.routing().tokenWait().toNanos();
        boolean waited = false;
        if (atLeast != null) {
            tokenReads.increment();
        }
        while (true) {
            List<DbNode> candidates = candidates(tried);
            if (candidates.isEmpty()) {
                break;
            }
            DbNode node = null;
            for (DbNode n : candidates) {
                if (atLeast == null || n.position.reached(atLeast)) {
                    node = n;
                    break;
                }
            }
            Connection c = null;
            WalPosition at = node == null ? null : node.position; // a poll before the read: a lower bound
            try {
                if (node == null) {
                    // none is known to have replayed the position: ask the furthest one now
                    node = candidates.stream().max(Comparator.comparing(n -> n.position)).orElseThrow();
                    c = node.pool.getConnection();
                    at = DbNode.replayPosition(c);
                    if (!at.reached(atLeast)) {
                        c.close();
                        c = null;
                        if (System.nanoTime() - deadline >= 0) {
                            break;
                        }
                        if (!waited) {
                            waited = true;
                            tokenWaits.increment();
                        }
                        Thread.sleep(Math.max(1, Math.min(10, (deadline - System.nanoTime()) / 1_000_000)));
                        continue;
                    }
                } else {
                    c = node.pool.getConnection();
                }
                T result = runOn(node, c, work);
                node.succeeded();
                return new ReadAt<>(result, at);
            } catch (SQLException e) {
                if (!retriable(e)) {
                    throw e;
                }
                tried.add(node);
                if (nodeFault(e)) {
                    node.eject(System.nanoTime());
                    LOG.warn("{}: read failed ({}); ejected, trying elsewhere", node.name, e.getMessage());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for a replica", "57014", e);
            } finally {
                if (c != null) {
                    try {
                        c.close();
                    } catch (SQLException ignored) {
                        // returned to the pool broken; the pool drops it
                    }
                }
            }
        }
        primaryFallbacks.increment();
        Connection c;
        try {
            c = primary.pool.getConnection();
        } catch (SQLException e) {
            throw unavailable(e);
        }
        // a commit's record may be in the WAL before it is visible (a synchronous commit waits for its standbys
        // in between), but a write's own position is read after its commit is visible: one byte before the
        // polled position is never at or past a write this read might miss. The primary has every write a token names
        WalPosition at = new WalPosition(Math.max(0, primary.position.value() - 1));
        try (c) {
            return new ReadAt<>(runOn(primary, c, work), atLeast != null && atLeast.compareTo(at) > 0 ? atLeast : at);
        }
    }

    /** The nodes as this router sees them, the primary first. */
    public List<NodeView> nodes() {
        List<NodeView> views = new ArrayList<>();
        views.add(new NodeView(primary.name, "primary", primary.address(), primary.reachable ? "up" : "down",
                primary.position.toString(), 0, 0, primary.inFlight.get(), primary.queries.sum()));
        long now = System.nanoTime();
        for (DbNode r : replicas) {
            views.add(new NodeView(r.name, "replica", r.address(), state(r, now), r.position.toString(),
                    r.lagBytes == Long.MAX_VALUE ? -1 : r.lagBytes, r.lagMillis == Long.MAX_VALUE ? -1 : r.lagMillis,
                    r.inFlight.get(), r.queries.sum()));
        }
        return views;
    }

    /** Reads that carried a position. */
    public long tokenReads() {
        return tokenReads.sum();
    }

    /** Reads with a position that had to wait for a replica to replay it. */
    public long tokenWaits() {
        return tokenWaits.sum();
    }

    /** Reads the primary served because no replica could. */
    public long primaryFallbacks() {
        return primaryFallbacks.sum();
    }

    @Override
    public void close() {
        lag.close();
        replicas.forEach(DbNode::close);
        primary.close();
    }

    private String state(DbNode r, long now) {
        if (!r.reachable) {
            return "down";
        }
        if (r.ejected(now)) {
            return "ejected";
        }
        return withinLag(r) ? "healthy" : "lagging";
    }

    private boolean withinLag(DbNode r) {
        return r.lagBytes <= config.routing().maxLagBytes().bytes() && r.lagMillis <= config.routing().maxLag().toMillis();
    }

    /** Replicas that may serve a read now, least busy first, ties in rotation. */
    private List<DbNode> candidates(Set<DbNode> tried) {
        long now = System.nanoTime();
        // without the primary, lag has no measure and no better node exists: every replica that answers serves
        boolean lagBounds = primary.reachable;
        List<DbNode> eligible = new ArrayList<>(replicas.size());
        for (DbNode r : replicas) {
            if (r.reachable && !tried.contains(r) && !r.ejected(now) && (!lagBounds || withinLag(r))) {
                eligible.add(r);
            }
        }
        if (eligible.size() > 1) {
            int shift = Math.floorMod(rotation.getAndIncrement(), eligible.size());
            List<DbNode> rotated = new ArrayList<>(eligible.subList(shift, eligible.size()));
            rotated.addAll(eligible.subList(0, shift));
            rotated.sort(Comparator.comparingInt(n -> n.inFlight.get()));
            return rotated;
        }
        return eligible;
    }

    private static <T> T runOn(DbNode node, Connection c, SqlWork<T> work) throws SQLException {
        node.inFlight.incrementAndGet();
        node.queries.increment();
        try {
            return work.run(c);
        } finally {
            node.inFlight.decrementAndGet();
        }
    }

    private static boolean retriable(SQLException e) {
        return nodeFault(e) || "40001".equals(e.getSQLState());
    }

    /** Whether {@code e} says the node, not the query, failed. */
    private static boolean nodeFault(SQLException e) {
        if (e instanceof SQLTransientConnectionException) {
            return true;
        }
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                || state.equals("57P03"));
    }

    private PrimaryUnavailableException unavailable(SQLException cause) {
        return new PrimaryUnavailableException("the primary database is unavailable"
                + (cause == null ? "" : ": " + cause.getMessage()), config.routing().primaryRetryAfter(), cause);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // the connection is broken; the pool drops it
        }
    }

    private void migrate(String name, List<String> locations) {
        if (locations.isEmpty()) {
            return;
        }
        Flyway flyway = Flyway.configure().dataSource(primary.pool)
                .locations(locations.toArray(String[]::new)).load();
        var result = flyway.migrate();
        var current = flyway.info().current();
        LOG.info("{}: schema at version {} ({} migrations applied now)", name,
                current == null ? "none" : current.getVersion(), result.migrationsExecuted);
    }
}
