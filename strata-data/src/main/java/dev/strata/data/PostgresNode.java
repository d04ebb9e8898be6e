package dev.strata.data;

import dev.strata.common.process.NodeProcess;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code postgres} role: runs the embedded PostgreSQL server until this JVM is told to stop
 * (SIGTERM, SIGINT, or the supervisor's end of stdin), then stops the server with a fast shutdown
 * and exits with status 0. A server that exits on its own (a kill -9 of the postmaster, a crash)
 * ends the node with status 1, so that the supervisor starts both again.
 */
public final class PostgresNode {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresNode.class);

    private PostgresNode() {}

    /** Starts the server, logs {@code ready}, and blocks until the JVM shuts down. */
    public static void run(DataConfig config, boolean fresh) {
        RunningPostgres server = EmbeddedPostgres.start(config, fresh);
        serve("postgres", server, () -> LOG.info("stopping PostgreSQL (pid {})", server.pid()),
                () -> LOG.info("ready: postgres at {} (postmaster pid {})", server.jdbcUrl(), server.pid()));
    }

    /** As {@link #run}, for embedded replica {@code index} of the configured primary. */
    public static void runReplica(DataConfig config, int index, boolean fresh) {
        RunningPostgres server = EmbeddedPostgres.startReplica(config, index, fresh);
        serve("postgres-replica-" + index, server, () -> LOG.info("stopping PostgreSQL replica {} (pid {})", index, server.pid()),
                () -> LOG.info("ready: postgres replica {} at {} (postmaster pid {})", index, server.jdbcUrl(), server.pid()));
    }

    private static void serve(String name, RunningPostgres server, Runnable announceStop, Runnable announceReady) {
        AtomicBoolean stopping = new AtomicBoolean();
        server.onExit().thenRun(() -> {
            if (!stopping.get()) {
                // the stop hook then finds the server gone and returns at once
                LOG.error("PostgreSQL (pid {}) exited on its own; {} stops with status 1 so that it is started again",
                        server.pid(), name);
                System.exit(1);
            }
        });
        NodeProcess.serveUntilStopped(name, () -> {
            stopping.set(true);
            announceStop.run();
            server.close();
        }, announceReady);
    }
}
