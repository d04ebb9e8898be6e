package dev.strata.data;

import java.nio.file.Path;

/** A PostgreSQL server started by {@link EmbeddedPostgres}; {@link #close()} stops it (fast shutdown). */
public interface RunningPostgres extends AutoCloseable {

    /** JDBC URL of the configured database on this server. */
    String jdbcUrl();

    int port();

    /** Process id of the postmaster. */
    long pid();

    /** The data directory (it may lie in a fallback location; see {@link EmbeddedPostgres}). */
    Path dataDirectory();

    /** Completes once the server's process has exited: stopped by {@link #close()}, or on its own (killed, crashed). */
    java.util.concurrent.CompletableFuture<?> onExit();

    /** Stops the server and waits until it has exited. Idempotent. */
    @Override
    void close();
}
