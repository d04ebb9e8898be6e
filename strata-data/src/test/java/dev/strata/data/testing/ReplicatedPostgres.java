package dev.strata.data.testing;

import dev.strata.data.DataConfig;
import dev.strata.data.EmbeddedPostgres;
import dev.strata.data.RunningPostgres;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real PostgreSQL primary and real streaming replicas from the bundle, started once for the test
 * class that registers this extension on a static field and stopped after it. Replicas listed in
 * {@code delayed} replay with {@code delay} ({@code recovery_min_apply_delay}).
 *
 * <pre>{@code @RegisterExtension static final ReplicatedPostgres PG = new ReplicatedPostgres(2, Duration.ofSeconds(2), 2);}</pre>
 */
public final class ReplicatedPostgres implements BeforeAllCallback, AfterAllCallback {

    private final int replicas;
    private final Duration delay;
    private final List<Integer> delayed;
    private volatile DataConfig config;
    private RunningPostgres primary;
    private final List<RunningPostgres> running = new ArrayList<>();

    public ReplicatedPostgres(int replicas, Duration delay, Integer... delayed) {
        this.replicas = replicas;
        this.delay = delay;
        this.delayed = List.of(delayed);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        String name = context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT);
        // replica i listens on port + i: the whole block must be free, and below the kernel's range for
        // outgoing connections, where a connection opened meanwhile could take a port of the block
        DataConfig base = PostgresExtension.embeddedConfig(Path.of("target", "pg", "replicated-" + name));
        int port;
        do {
            port = java.util.concurrent.ThreadLocalRandom.current().nextInt(20_000, 32_000);
        } while (!freeBlock(port, replicas));
        base = base.withEmbedded(Path.of(base.embedded().dir()), port);
        config = base.withReplication(new DataConfig.Replication(replicas, base.replication().role(),
                base.replication().synchronousQuorum(), Duration.ZERO, base.replication().maxSlotWalKeep(),
                base.replication().rebuildBehind()));
        primary = EmbeddedPostgres.start(config, true);
        for (int i = 1; i <= replicas; i++) {
            running.add(EmbeddedPostgres.startReplica(replicaConfig(i), i, true));
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        running.forEach(r -> { if (r != null) r.close(); });
        if (primary != null) {
            primary.close();
        }
    }

    /** The data section of this cluster (primary and replicas). */
    public DataConfig dataConfig() {
        if (config == null) {
            throw new IllegalStateException("the extension has not run yet (register it on a static field)");
        }
        return config;
    }

    /** The configuration replica {@code index} runs with (its own apply delay). */
    public DataConfig replicaConfig(int index) {
        return delayed.contains(index) ? config.withReplication(config.replication().withApplyDelay(delay)) : config;
    }

    public RunningPostgres primary() {
        return primary;
    }

    public RunningPostgres replica(int index) {
        return running.get(index - 1);
    }

    /** Kills replica {@code index}'s postmaster with SIGKILL and waits until it is gone. */
    public void killReplica(int index) throws Exception {
        ProcessHandle handle = ProcessHandle.of(replica(index).pid()).orElseThrow();
        new ProcessBuilder("kill", "-9", Long.toString(handle.pid())).inheritIO().start().waitFor();
        handle.onExit().get(30, TimeUnit.SECONDS);
        replica(index).close();
    }

    /** Kills the primary's postmaster with SIGKILL and waits until it is gone. */
    public void killPrimary() throws Exception {
        ProcessHandle handle = ProcessHandle.of(primary.pid()).orElseThrow();
        new ProcessBuilder("kill", "-9", Long.toString(handle.pid())).inheritIO().start().waitFor();
        handle.onExit().get(30, TimeUnit.SECONDS);
        primary.close();
    }

    /** Starts the primary again on its data (after {@link #killPrimary}). */
    public RunningPostgres restartPrimary() {
        primary = EmbeddedPostgres.start(config, false);
        return primary;
    }

    /** Starts replica {@code index} again (after {@link #killReplica}) with {@code config}. */
    public RunningPostgres restartReplica(int index, DataConfig with) {
        RunningPostgres started = EmbeddedPostgres.startReplica(with, index, false);
        running.set(index - 1, started);
        return started;
    }

    /** Runs statements on the primary's database. */
    public void execute(String... sql) throws SQLException {
        try (Connection c = connect(primary); Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        }
    }

    /** The first column of the first row of {@code sql} on {@code server}, or {@code null} without rows. */
    public String query(RunningPostgres server, String sql) throws SQLException {
        try (Connection c = connect(server); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    public Connection connect(RunningPostgres server) throws SQLException {
        return DriverManager.getConnection(server.jdbcUrl(), config.user(), config.password());
    }

    private static boolean freeBlock(int port, int count) {
        for (int p = port; p <= port + count; p++) {
            if (p > 65535) {
                return false;
            }
            try (java.net.ServerSocket s = new java.net.ServerSocket(p, 1, java.net.InetAddress.getLoopbackAddress())) {
                s.setReuseAddress(true);
            } catch (java.io.IOException e) {
                return false;
            }
        }
        return true;
    }

    /** Waits up to {@code timeout} for {@code condition}; false if it never held. */
    public static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (condition.getAsBoolean()) {
                return true;
            }
            Thread.sleep(50);
        }
        return condition.getAsBoolean();
    }
}
