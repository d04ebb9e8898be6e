package dev.strata.data;

import dev.strata.common.process.NodeProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code postgres} role: runs the embedded PostgreSQL server until this JVM is told to stop
 * (SIGTERM, SIGINT, or the supervisor's end of stdin), then stops the server with a fast shutdown
 * and exits with status 0.
 */
public final class PostgresNode {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresNode.class);

    private PostgresNode() {}

    /** Starts the server, logs {@code ready}, and blocks until the JVM shuts down. */
    public static void run(DataConfig config, boolean fresh) {
        RunningPostgres server = EmbeddedPostgres.start(config, fresh);
        NodeProcess.serveUntilStopped("postgres", () -> {
            LOG.info("stopping PostgreSQL (pid {})", server.pid());
            server.close();
        }, () -> LOG.info("ready: postgres at {} (postmaster pid {})", server.jdbcUrl(), server.pid()));
    }

    /** As {@link #run}, for embedded replica {@code index} of the configured primary. */
    public static void runReplica(DataConfig config, int index, boolean fresh) {
        RunningPostgres server = EmbeddedPostgres.startReplica(config, index, fresh);
        NodeProcess.serveUntilStopped("postgres-replica-" + index, () -> {
            LOG.info("stopping PostgreSQL replica {} (pid {})", index, server.pid());
            server.close();
        }, () -> LOG.info("ready: postgres replica {} at {} (postmaster pid {})", index, server.jdbcUrl(), server.pid()));
    }
}
