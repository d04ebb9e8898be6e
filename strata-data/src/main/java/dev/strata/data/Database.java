package dev.strata.data;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A service's connection pool to PostgreSQL, its schema migrated by Flyway on open. Works with any
 * PostgreSQL reachable by JDBC URL; an empty {@code data.url} means the embedded server.
 */
public final class Database implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Database.class);

    private final HikariDataSource pool;
    private final AtomicReference<CompletableFuture<Boolean>> probe = new AtomicReference<>();

    private Database(HikariDataSource pool) {
        this.pool = pool;
    }

    /**
     * Opens the pool and applies the migrations found at {@code migrationLocations} (Flyway
     * locations such as {@code classpath:db/migration/links}).
     *
     * @param name names the pool in logs and thread names
     */
    public static Database open(String name, DataConfig config, List<String> migrationLocations) {
        HikariConfig hikari = new HikariConfig();
        hikari.setPoolName(name);
        hikari.setJdbcUrl(config.jdbcUrl());
        hikari.setUsername(config.user());
        if (!config.password().isEmpty()) {
            hikari.setPassword(config.password());
        }
        DataConfig.Pool pool = config.pool();
        hikari.setMaximumPoolSize(pool.maxSize());
        hikari.setMinimumIdle(pool.minIdle());
        hikari.setConnectionTimeout(pool.connectionTimeout().toMillis());
        hikari.setIdleTimeout(pool.idleTimeout().toMillis());
        hikari.setMaxLifetime(pool.maxLifetime().toMillis());
        hikari.setInitializationFailTimeout(pool.connectionTimeout().toMillis());
        HikariDataSource dataSource = new HikariDataSource(hikari);
        try {
            if (!migrationLocations.isEmpty()) {
                Flyway flyway = Flyway.configure()
                        .dataSource(dataSource)
                        .locations(migrationLocations.toArray(String[]::new))
                        .load();
                var result = flyway.migrate();
                // a node that finds the schema current gets no target version from migrate()
                var current = flyway.info().current();
                LOG.info("{}: schema at version {} ({} migrations applied now)", name,
                        current == null ? "none" : current.getVersion(), result.migrationsExecuted);
            }
            return new Database(dataSource);
        } catch (RuntimeException e) {
            dataSource.close();
            throw e;
        }
    }

    public DataSource dataSource() {
        return pool;
    }

    /**
     * Whether the database answers {@code SELECT 1} within {@code timeout}, even when the pool would
     * wait longer for a connection. Concurrent callers share one probe, so a dead database never
     * piles up waiting threads.
     */
    public boolean isReachable(Duration timeout) {
        CompletableFuture<Boolean> current = probe.get();
        if (current == null || current.isDone()) {
            CompletableFuture<Boolean> fresh = new CompletableFuture<>();
            if (probe.compareAndSet(current, fresh)) {
                Thread.ofVirtual().name("database-probe").start(() -> fresh.complete(selectOne()));
                current = fresh;
            } else {
                current = probe.get();
            }
        }
        try {
            return current.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private boolean selectOne() {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.setQueryTimeout(5);
            s.execute("SELECT 1");
            return true;
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
