package dev.strata.data.route;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.strata.data.DataConfig;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * One database node: its HikariCP pool, a separate connection for polling (so a pool busy with
 * reads never delays the health of the node), and what the last poll and the last reads said.
 * The poll fields are written by the node's poller thread only and read by any thread.
 */
final class DbNode {

    final String name;
    final boolean primary;
    final String url;
    final HikariDataSource pool;
    final AtomicInteger inFlight = new AtomicInteger();
    final LongAdder queries = new LongAdder();
    private final DataConfig config;

    /** Polled: whether the node answers its polls (it is down after two failed in a row). */
    volatile boolean reachable;
    private int failedPolls; // in a row; the poller's thread only
    /** Polled: insert position on the primary, replay position on a replica. */
    volatile WalPosition position = WalPosition.ZERO;
    /** Polled on a replica: the commit time of the last transaction it replayed, in epoch millis (0 if none). */
    volatile long lastReplayedCommitMillis;
    /** Derived at each poll of a replica. */
    volatile long lagBytes = Long.MAX_VALUE;
    volatile long lagMillis = Long.MAX_VALUE;
    /** A failed read keeps the node out until this System.nanoTime(); guarded by this. */
    private long ejectedUntil;
    private int failures;

    private Connection probe;

    DbNode(String poolName, String name, boolean primary, String url, DataConfig config) {
        this.name = name;
        this.primary = primary;
        this.url = url;
        this.config = config;
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName(poolName + "-" + name);
        hikari.setJdbcUrl(url);
        hikari.setUsername(config.user());
        if (!config.password().isEmpty()) {
            hikari.setPassword(config.password());
        }
        DataConfig.Pool p = config.pool();
        hikari.setMaximumPoolSize(p.maxSize());
        hikari.setMinimumIdle(p.minIdle());
        hikari.setConnectionTimeout(p.connectionTimeout().toMillis());
        hikari.setIdleTimeout(p.idleTimeout().toMillis());
        hikari.setMaxLifetime(p.maxLifetime().toMillis());
        // a node that is down when the service starts joins when it comes up
        hikari.setInitializationFailTimeout(-1);
        hikari.setReadOnly(!primary);
        hikari.addDataSourceProperty("connectTimeout", "2");
        this.pool = new HikariDataSource(hikari);
    }

    /** Polls the node once; false when it did not answer. */
    boolean poll() {
        try {
            Connection c = probe();
            try (Statement s = c.createStatement()) {
                s.setQueryTimeout(2);
                if (primary) {
                    try (ResultSet rs = s.executeQuery("SELECT pg_current_wal_insert_lsn()::text")) {
                        rs.next();
                        position = WalPosition.parse(rs.getString(1));
                    }
                } else {
                    try (ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery(), "
                            + "coalesce(pg_last_wal_replay_lsn(), '0/0')::text, pg_last_xact_replay_timestamp()")) {
                        rs.next();
                        if (!rs.getBoolean(1)) {
                            throw new SQLException(name + " at " + url + " is not a replica (not in recovery)");
                        }
                        position = WalPosition.parse(rs.getString(2));
                        Timestamp t = rs.getTimestamp(3);
                        lastReplayedCommitMillis = t == null ? 0 : t.getTime();
                    }
                }
            }
            failedPolls = 0;
            if (!reachable) {
                // the probe connects again: in rotation only once the pool hands out a connection too, so
                // that no read meets an empty pool still reconnecting (a poll later, if not yet)
                try (Connection pooled = pool.getConnection()) {
                    pooled.isValid(2);
                }
                readmit();
            }
            reachable = true;
            return true;
        } catch (SQLException | RuntimeException e) {
            closeProbe();
            // one failed poll may be the probe's own connection; two in a row say the node is down
            if (++failedPolls >= 2) {
                reachable = false;
            }
            return false;
        }
    }

    /** The node's current position, asked now on {@code c}. */
    static WalPosition replayPosition(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT coalesce(pg_last_wal_replay_lsn(), '0/0')::text")) {
            rs.next();
            return WalPosition.parse(rs.getString(1));
        }
    }

    synchronized boolean ejected(long now) {
        return now - ejectedUntil < 0;
    }

    /** Takes the node out after a failed read: the first time for {@code ejection}, doubling up to {@code max_ejection}. */
    synchronized void eject(long now) {
        failures = Math.min(failures + 1, 30);
        long base = config.routing().ejection().toNanos();
        long max = config.routing().maxEjection().toNanos();
        long backoff = base << Math.min(failures - 1, 20);
        ejectedUntil = now + (backoff <= 0 || backoff > max ? max : backoff);
    }

    synchronized void succeeded() {
        failures = 0;
    }

    /**
     * The node answers its poll again after it did not (a restart): the reads that failed while it went
     * down say nothing of it now, so it starts with no ejection and no failures counted. Its pool has
     * handed out a connection already.
     */
    private synchronized void readmit() {
        failures = 0;
        ejectedUntil = System.nanoTime();
    }

    private Connection probe() throws SQLException {
        if (probe == null || probe.isClosed()) {
            Properties p = new Properties();
            p.setProperty("user", config.user());
            if (!config.password().isEmpty()) {
                p.setProperty("password", config.password());
            }
            p.setProperty("connectTimeout", "2");
            p.setProperty("socketTimeout", "3");
            p.setProperty("ApplicationName", "strata-router-poll");
            probe = DriverManager.getConnection(url, p);
        }
        return probe;
    }

    private void closeProbe() {
        if (probe != null) {
            try {
                probe.close();
            } catch (SQLException ignored) {
                // broken already
            }
            probe = null;
        }
    }

    void close() {
        closeProbe();
        pool.close();
    }

    /** The URL without anything after the database name (no credentials in views). */
    String address() {
        int q = url.indexOf('?');
        return (q < 0 ? url : url.substring(0, q)).replaceFirst("^jdbc:", "");
    }
}
