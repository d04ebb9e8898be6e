package dev.strata.data.internal;

import dev.strata.data.DataConfig;
import dev.strata.data.RunningPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design notes
 *
 * Layout. <base>/data is the cluster, <base>/postgres.log the server's output, and the binaries
 * sit beside <base> in postgres-bin-<version>, shared by every cluster under the same parent. <base>
 * is the configured dir, or /var/tmp/strata-postgres/<hash> when the server must run as another
 * account that cannot reach the configured dir.
 *
 * Invariant: <base>/data exists only as a complete cluster. initdb writes into data.init, which is
 * renamed to data when initdb succeeded; a crash during initdb leaves data.init, wiped on the next
 * start. So "data exists" is the one test for "initialized", and a restart never runs initdb over a
 * cluster or starts a server on half a cluster.
 *
 * Privileges. PostgreSQL refuses to run as root. As root, every PostgreSQL program (initdb, postgres,
 * pg_ctl) runs through setpriv as the unprivileged account, which owns data.init/data; setpriv execs,
 * so the child's pid is the postmaster's. Not as root, the programs run directly.
 *
 * Lifecycle. A server orphaned by a killed JVM still holds the port and postmaster.pid; start()
 * asks pg_ctl to stop such a leftover first. close() asks for a fast shutdown (pg_ctl stop -m fast:
 * roll back open transactions, checkpoint, exit) and falls back to killing the process. Unix sockets
 * are off (unix_socket_directories=''), so the server needs no socket folder and only listens on TCP.
 */
/** Starts and stops one embedded PostgreSQL server. */
public final class PostgresLauncher implements RunningPostgres {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresLauncher.class);
    private static final Path FALLBACK_ROOT = Path.of("/var/tmp/strata-postgres");
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final Process postmaster;
    private final Path binaries;
    private final Path dataDir;
    private final OsAccount runAs;
    private final DataConfig.Embedded embedded;
    private final AtomicBoolean closed = new AtomicBoolean();

    private PostgresLauncher(Process postmaster, Path binaries, Path dataDir, OsAccount runAs, DataConfig.Embedded embedded) {
        this.postmaster = postmaster;
        this.binaries = binaries;
        this.dataDir = dataDir;
        this.runAs = runAs;
        this.embedded = embedded;
    }

    /** Starts the primary of {@code config.embedded()}, ready to stream WAL to replicas. */
    public static RunningPostgres start(DataConfig config, boolean fresh) {
        DataConfig.Embedded embedded = config.embedded();
        Layout layout = Layout.of(embedded);
        Path dataDir = layout.dataDir();
        stopLeftover(layout.binaries(), dataDir, layout.runAs());
        if (fresh) {
            LOG.info("fresh start: wiping {}", dataDir);
            FileTrees.delete(dataDir);
        }
        if (!Files.isDirectory(dataDir)) {
            initdb(layout.binaries(), layout.base(), dataDir, layout.runAs(), config);
        }
        Replication.allowReplicationConnections(dataDir, config);
        List<String> settings = new ArrayList<>(Replication.streamingSettings(config));
        settings.addAll(Replication.primarySettings(config));
        PostgresLauncher server = launchAndAwait(config, embedded, layout, settings);
        try {
            server.createDatabaseIfMissing(config);
            Replication.ensureReplicationRole(server.adminUrl(), credentials(config), config);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
        LOG.info("PostgreSQL {} ready at {} (pid {}, data {})",
                PostgresBinaries.version(), server.jdbcUrl(), server.pid(), dataDir);
        return server;
    }

    /**
     * Starts embedded replica {@code index} of the primary of {@code config.embedded()}, which must be
     * running: it resumes streaming through its replication slot, or is rebuilt from a base backup of
     * the primary when it has no cluster yet, when {@code fresh}, or when its slot is lost or further
     * behind than {@code replication.rebuild_behind}.
     */
    public static RunningPostgres startReplica(DataConfig config, int index, boolean fresh) {
        DataConfig.Embedded node = config.embedded().replica(index);
        Layout layout = Layout.of(node);
        Path dataDir = layout.dataDir();
        stopLeftover(layout.binaries(), dataDir, layout.runAs());
        Replication replication = new Replication(config, index, layout.runAs());
        replication.awaitPrimary(config.embedded().startTimeout());
        String rebuild = fresh ? "fresh start" : replication.reasonToRebuild(dataDir);
        if (rebuild != null) {
            LOG.info("replica {}: building from a base backup of the primary ({})", index, rebuild);
            replication.rebuild(layout.base(), dataDir);
        } else {
            LOG.info("replica {}: resuming from its replication slot", index);
        }
        replication.configureStandby(layout.base(), dataDir);
        PostgresLauncher server = launchAndAwait(config, node, layout, Replication.streamingSettings(config));
        LOG.info("PostgreSQL {} replica {} ready at {} (pid {}, data {})",
                PostgresBinaries.version(), index, server.jdbcUrl(), server.pid(), dataDir);
        return server;
    }

    /**
     * Launches the server and waits until it accepts connections. After a kill -9 of the postmaster,
     * its backends take a moment to notice and exit, and until they have, a new postmaster refuses
     * the shared memory they still hold: such a start is tried again until {@code start_timeout}.
     */
    private static PostgresLauncher launchAndAwait(DataConfig config, DataConfig.Embedded node, Layout layout,
                                                   List<String> settings) {
        long deadline = System.nanoTime() + node.startTimeout().toNanos();
        Path log = layout.base().resolve("postgres.log");
        while (true) {
            long logStart = sizeOf(log);
            Process process = launch(layout.binaries(), layout.base(), layout.dataDir(), layout.runAs(), node, settings);
            PostgresLauncher server = new PostgresLauncher(process, layout.binaries(), layout.dataDir(), layout.runAs(), node);
            try {
                server.awaitReady(config, log);
                return server;
            } catch (RuntimeException e) {
                server.close();
                boolean exitedByItself = String.valueOf(e.getMessage()).startsWith("PostgreSQL exited");
                if (!exitedByItself || System.nanoTime() - deadline >= 0 || !logSince(log, logStart)
                        .contains("pre-existing shared memory block")) {
                    throw e;
                }
                LOG.info("the processes of a killed PostgreSQL on {} still hold its shared memory; starting again shortly",
                        layout.dataDir());
                try {
                    Thread.sleep(500);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static long sizeOf(Path file) {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static String logSince(Path file, long offset) {
        try (var channel = java.nio.channels.FileChannel.open(file)) {
            long size = channel.size();
            int length = (int) Math.min(64 * 1024, Math.max(0, size - offset));
            var buffer = java.nio.ByteBuffer.allocate(length);
            channel.read(buffer, size - length);
            return new String(buffer.array(), 0, buffer.position(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** Where a server's binaries and data live, and which account runs it. */
    record Layout(Path base, Path binaries, OsAccount runAs) {

        static Layout of(DataConfig.Embedded embedded) {
            Path configured = Path.of(embedded.dir()).toAbsolutePath().normalize();
            OsAccount runAs = OsAccount.currentIsRoot() ? OsAccount.lookup(embedded.unprivilegedUser()) : null;
            Path base = configured;
            Path binariesParent = configured.getParent();
            if (runAs != null && !FileTrees.othersCanTraverse(configured)) {
                base = FALLBACK_ROOT.resolve(shortHash(configured.toString()));
                binariesParent = FALLBACK_ROOT;
                LOG.warn("account '{}' cannot reach {} (a parent folder is closed to others); "
                        + "PostgreSQL data and binaries go to {} instead", runAs.name(), configured, base);
            }
            FileTrees.createReachable(base);
            Path binaries = PostgresBinaries.unpackInto(binariesParent.resolve("postgres-bin-" + PostgresBinaries.version()));
            return new Layout(base, binaries, runAs);
        }

        Path dataDir() {
            return base.resolve("data");
        }
    }

    @Override
    public String jdbcUrl() {
        return embedded.jdbcUrl();
    }

    @Override
    public int port() {
        return embedded.port();
    }

    @Override
    public long pid() {
        return postmaster.pid();
    }

    @Override
    public Path dataDirectory() {
        return dataDir;
    }

    @Override
    public java.util.concurrent.CompletableFuture<?> onExit() {
        return postmaster.onExit();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true) || !postmaster.isAlive()) {
            return;
        }
        Processes.Result stop = Processes.run(command(runAs, List.of(
                binaries.resolve("bin/pg_ctl").toString(), "stop", "-D", dataDir.toString(),
                "-m", "fast", "-w", "-t", Long.toString(STOP_TIMEOUT.toSeconds()))));
        try {
            if (!postmaster.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("PostgreSQL (pid {}) did not stop in {}: {}; killing it", pid(), STOP_TIMEOUT, stop.output().strip());
                postmaster.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            postmaster.destroyForcibly();
        }
        LOG.info("PostgreSQL (pid {}) stopped", pid());
    }

    private static void stopLeftover(Path binaries, Path dataDir, OsAccount runAs) {
        if (!Files.exists(dataDir.resolve("postmaster.pid"))) {
            return;
        }
        Processes.Result r = Processes.run(command(runAs, List.of(binaries.resolve("bin/pg_ctl").toString(),
                "stop", "-D", dataDir.toString(), "-m", "fast", "-w", "-t", "30")));
        if (r.exitCode() == 0) {
            LOG.warn("stopped a PostgreSQL server left running on {}", dataDir);
        }
    }

    private static void initdb(Path binaries, Path base, Path dataDir, OsAccount runAs, DataConfig config) {
        Path staging = base.resolve("data.init");
        FileTrees.delete(staging);
        Path passwordFile = base.resolve("initdb.pw");
        try {
            Files.createDirectory(staging, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            List<String> cmd = new ArrayList<>(List.of(binaries.resolve("bin/initdb").toString(),
                    "-D", staging.toString(), "-U", config.user(), "-E", "UTF8", "--locale=C", "--no-instructions"));
            if (config.password().isEmpty()) {
                cmd.add("--auth=trust");
            } else {
                Files.deleteIfExists(passwordFile);
                Files.createFile(passwordFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(passwordFile, config.password() + "\n");
                cmd.addAll(List.of("--auth-local=trust", "--auth-host=scram-sha-256", "--pwfile=" + passwordFile));
            }
            if (runAs != null) {
                runAs.chownRecursively(staging);
                if (Files.exists(passwordFile)) {
                    runAs.chownRecursively(passwordFile);
                }
            }
            LOG.info("initializing a PostgreSQL cluster in {}", dataDir);
            Processes.runOrThrow(command(runAs, cmd), "initdb");
            Files.move(staging, dataDir, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot initialize " + dataDir, e);
        } finally {
            try {
                Files.deleteIfExists(passwordFile);
            } catch (IOException ignored) {
                // it lives in a folder only this account and the server's account can read
            }
        }
    }

    private static Process launch(Path binaries, Path base, Path dataDir, OsAccount runAs, DataConfig.Embedded embedded,
                                  List<String> settings) {
        List<String> args = new ArrayList<>(List.of(binaries.resolve("bin/postgres").toString(),
                "-D", dataDir.toString(), "-h", embedded.host(), "-p", Integer.toString(embedded.port()),
                "-c", "unix_socket_directories=", "-c", "logging_collector=off"));
        for (String setting : settings) {
            args.add("-c");
            args.add(setting);
        }
        List<String> cmd = command(runAs, args);
        ProcessBuilder builder = new ProcessBuilder(cmd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(base.resolve("postgres.log").toFile()));
        builder.environment().put("LC_ALL", "C");
        builder.environment().put("LANG", "C");
        try {
            Process p = builder.start();
            p.getOutputStream().close();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + cmd, e);
        }
    }

    private void awaitReady(DataConfig config, Path log) {
        long deadline = System.nanoTime() + embedded.startTimeout().toNanos();
        String url = "jdbc:postgresql://" + embedded.host() + ":" + embedded.port() + "/postgres";
        SQLException last = null;
        while (System.nanoTime() < deadline) {
            if (!postmaster.isAlive()) {
                throw new IllegalStateException("PostgreSQL exited with " + postmaster.exitValue()
                        + " while starting; end of " + log + ":\n" + tail(log));
            }
            try (Connection c = DriverManager.getConnection(url, credentials(config))) {
                return;
            } catch (SQLException e) {
                last = e;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for PostgreSQL", e);
            }
        }
        throw new IllegalStateException("PostgreSQL did not accept connections within " + embedded.startTimeout()
                + " (" + (last == null ? "" : last.getMessage()) + "); end of " + log + ":\n" + tail(log));
    }

    private void createDatabaseIfMissing(DataConfig config) {
        String url = "jdbc:postgresql://" + embedded.host() + ":" + embedded.port() + "/postgres";
        try (Connection c = DriverManager.getConnection(url, credentials(config));
             PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_database WHERE datname = ?")) {
            exists.setString(1, embedded.database());
            try (ResultSet rs = exists.executeQuery()) {
                if (rs.next()) {
                    return;
                }
            }
            try (Statement create = c.createStatement()) {
                // the name is checked against [A-Za-z_][A-Za-z0-9_]* by DataConfig.Embedded
                create.execute("CREATE DATABASE \"" + embedded.database() + "\"");
            }
            LOG.info("created database {}", embedded.database());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create database " + embedded.database() + ": " + e.getMessage(), e);
        }
    }

    private String adminUrl() {
        return "jdbc:postgresql://" + embedded.host() + ":" + embedded.port() + "/postgres";
    }

    static Properties credentials(DataConfig config) {
        Properties p = new Properties();
        p.setProperty("user", config.user());
        if (!config.password().isEmpty()) {
            p.setProperty("password", config.password());
        }
        p.setProperty("connectTimeout", "2");
        p.setProperty("loginTimeout", "5");
        return p;
    }

    static List<String> command(OsAccount runAs, List<String> command) {
        return runAs == null ? command : runAs.wrap(command);
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    static String shortHash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
