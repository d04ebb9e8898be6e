package dev.strata.data.internal;

import dev.strata.data.DataConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design notes
 *
 * A replica is a physical copy of the primary that replays the primary's WAL. The bundle has no
 * pg_basebackup, so the copy is taken the way pg_basebackup takes it, through SQL on one session:
 * pg_backup_start (a checkpoint; from here the primary writes full pages), a file copy of the data
 * directory that is allowed to be torn, pg_backup_stop, whose label file becomes backup_label. The
 * label tells the replica at which checkpoint to start replaying; the torn copy becomes consistent
 * once replay has passed the backup's end.
 *
 * Invariant: every WAL record a replica still needs is kept by the primary, because the replica's
 * slot is created (with its WAL reserved at once) before the backup starts, and the slot only moves
 * as the replica confirms replay. The copy leaves out pg_wal/* and pg_replslot/*, so the replica
 * streams everything from the backup's checkpoint on through its slot, and it never inherits the
 * primary's slots. The slot is bounded by max_slot_wal_keep_size: a replica down for longer loses
 * its slot (wal_status 'lost'), and a lost, missing or far-behind slot means a rebuild on the next
 * start instead of a replica that can never catch up.
 *
 * Like initdb, the copy is written into data.init and renamed to data only when complete, so a
 * crash mid-copy is never started as a cluster.
 *
 * Settings that must agree between primary and replica (max_wal_senders and the others a hot
 * standby checks against the primary's) are passed to both on the command line from one list.
 */
/** Streaming replication between the embedded primary and one embedded replica. */
final class Replication {

    private static final Logger LOG = LoggerFactory.getLogger(Replication.class);
    private static final Set<String> SKIPPED_FILES = Set.of("postmaster.pid", "postmaster.opts", "backup_label",
            "backup_label.old", "tablespace_map", "standby.signal", "recovery.signal", "pg_internal.init");
    private static final Set<String> EMPTIED_DIRS = Set.of("pg_wal", "pg_replslot", "pg_dynshmem", "pg_notify",
            "pg_serial", "pg_snapshots", "pg_stat_tmp", "pg_subtrans");
    private static final String MANAGED = "# strata replica settings";

    private final DataConfig config;
    private final int index;
    private final OsAccount runAs;

    Replication(DataConfig config, int index, OsAccount runAs) {
        this.config = config;
        this.index = index;
        this.runAs = runAs;
    }

    /** Settings both sides start with. */
    static List<String> streamingSettings(DataConfig config) {
        int senders = config.replication().replicas() + 4;
        return List.of("wal_level=replica", "max_wal_senders=" + Math.max(10, senders),
                "max_replication_slots=" + Math.max(10, senders), "hot_standby=on", "hot_standby_feedback=on");
    }

    /** Settings only the primary starts with. */
    static List<String> primarySettings(DataConfig config) {
        DataConfig.Replication r = config.replication();
        List<String> settings = new ArrayList<>();
        settings.add("max_slot_wal_keep_size=" + Math.max(1, r.maxSlotWalKeep().bytes() / 1048576) + "MB");
        if (r.synchronousQuorum() > 0) {
            settings.add("synchronous_standby_names=ANY " + r.synchronousQuorum() + " (*)");
        }
        return settings;
    }

    /** Lets the replication role stream from any of this host's addresses (pg_hba.conf, first match wins). */
    static void allowReplicationConnections(Path dataDir, DataConfig config) {
        Path hba = dataDir.resolve("pg_hba.conf");
        String method = config.password().isEmpty() ? "trust" : "scram-sha-256";
        String line = "host replication " + config.replication().role() + " samehost " + method;
        try {
            String current = Files.readString(hba, StandardCharsets.UTF_8);
            if (!current.lines().anyMatch(line::equals)) {
                // rewriting the existing file keeps its owner, the server's account
                Files.writeString(hba, line + "\n" + current, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update " + hba, e);
        }
    }

    /** Creates the replication role if missing and gives it the service's password. */
    static void ensureReplicationRole(String adminUrl, Properties credentials, DataConfig config) {
        String role = config.replication().role();
        try (Connection c = DriverManager.getConnection(adminUrl, credentials);
             PreparedStatement exists = c.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?");
             Statement s = c.createStatement()) {
            exists.setString(1, role);
            boolean present;
            try (ResultSet rs = exists.executeQuery()) {
                present = rs.next();
            }
            // the role name is checked against [a-z_][a-z0-9_]* by DataConfig.Replication
            if (!present) {
                s.execute("CREATE ROLE " + role + " WITH REPLICATION LOGIN");
                LOG.info("created replication role {}", role);
            }
            if (!config.password().isEmpty()) {
                s.execute("ALTER ROLE " + role + " WITH PASSWORD '" + config.password().replace("'", "''") + "'");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create replication role " + role + ": " + e.getMessage(), e);
        }
    }

    String slotName() {
        return "strata_replica_" + index;
    }

    /** Waits until the primary accepts connections (a replica started with it may come up first). */
    void awaitPrimary(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        SQLException last;
        do {
            try (Connection c = primary()) {
                return;
            } catch (SQLException e) {
                last = e;
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the primary", e);
            }
        } while (System.nanoTime() < deadline);
        throw new IllegalStateException("replica " + index + ": the primary at " + primaryUrl()
                + " did not accept connections within " + timeout + ": " + last.getMessage(), last);
    }

    /** Why the replica in {@code dataDir} must be rebuilt, or {@code null} when it can resume streaming. */
    String reasonToRebuild(Path dataDir) {
        if (!Files.isDirectory(dataDir)) {
            return "no cluster yet";
        }
        if (!Files.exists(dataDir.resolve("standby.signal"))) {
            return "the cluster in " + dataDir + " is not a standby";
        }
        try (Connection c = primary();
             PreparedStatement q = c.prepareStatement("SELECT wal_status, "
                     + "pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint FROM pg_replication_slots "
                     + "WHERE slot_name = ?")) {
            q.setString(1, slotName());
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    return "the primary has no slot " + slotName();
                }
                String status = rs.getString(1);
                long behind = rs.getLong(2);
                if (status == null || "lost".equals(status) || rs.wasNull()) {
                    return "slot " + slotName() + " lost the WAL the replica needs";
                }
                if (behind > config.replication().rebuildBehind().bytes()) {
                    return "slot " + slotName() + " is " + behind + " bytes behind (rebuild_behind: "
                            + config.replication().rebuildBehind() + ")";
                }
                return null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException("replica " + index + ": cannot read slot " + slotName()
                    + " on the primary: " + e.getMessage(), e);
        }
    }

    /** Replaces {@code dataDir} with a fresh base backup of the primary, streaming through a new slot. */
    void rebuild(Path base, Path dataDir) {
        Path staging = base.resolve("data.init");
        FileTrees.delete(staging);
        try (Connection c = primary(); Statement s = c.createStatement()) {
            try (PreparedStatement drop = c.prepareStatement(
                    "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?")) {
                drop.setString(1, slotName());
                drop.execute();
            }
            try (PreparedStatement create = c.prepareStatement("SELECT pg_create_physical_replication_slot(?, true)")) {
                create.setString(1, slotName());
                create.execute();
            }
            Path source;
            try (ResultSet rs = s.executeQuery("SHOW data_directory")) {
                rs.next();
                source = Path.of(rs.getString(1));
            }
            s.execute("SELECT pg_backup_start('strata replica " + index + "', true)");
            copyCluster(source, staging);
            String label;
            String tablespaceMap;
            try (ResultSet rs = s.executeQuery("SELECT labelfile, spcmapfile FROM pg_backup_stop(false)")) {
                rs.next();
                label = rs.getString(1);
                tablespaceMap = rs.getString(2);
            }
            Files.writeString(staging.resolve("backup_label"), label, StandardCharsets.UTF_8);
            if (tablespaceMap != null && !tablespaceMap.isEmpty()) {
                Files.writeString(staging.resolve("tablespace_map"), tablespaceMap, StandardCharsets.UTF_8);
            }
            Files.setPosixFilePermissions(staging, PosixFilePermissions.fromString("rwx------"));
            if (runAs != null) {
                runAs.chownRecursively(staging);
            }
            FileTrees.delete(dataDir);
            Files.move(staging, dataDir, StandardCopyOption.ATOMIC_MOVE);
        } catch (SQLException e) {
            // the session's end aborts a backup it started
            throw new IllegalStateException("replica " + index + ": base backup failed: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException("replica " + index + ": cannot write the base backup into " + staging, e);
        }
    }

    /** Marks {@code dataDir} a standby of the primary, with this configuration's settings. */
    void configureStandby(Path base, Path dataDir) {
        DataConfig.Embedded primary = config.embedded();
        StringBuilder conninfo = new StringBuilder("host=" + primary.host() + " port=" + primary.port()
                + " user=" + config.replication().role() + " application_name=replica_" + index);
        try {
            if (!config.password().isEmpty()) {
                Path passfile = base.resolve("replication.pgpass");
                Files.deleteIfExists(passfile);
                Files.createFile(passfile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
                Files.writeString(passfile, "*:*:*:" + config.replication().role() + ":"
                        + config.password().replace("\\", "\\\\").replace(":", "\\:") + "\n");
                if (runAs != null) {
                    runAs.chownRecursively(passfile);
                }
                conninfo.append(" passfile=").append(passfile);
            }
            Path auto = dataDir.resolve("postgresql.auto.conf");
            List<String> kept = new ArrayList<>();
            if (Files.exists(auto)) {
                for (String line : Files.readAllLines(auto, StandardCharsets.UTF_8)) {
                    if (line.equals(MANAGED)) {
                        break;
                    }
                    kept.add(line);
                }
            }
            kept.add(MANAGED);
            kept.add("primary_conninfo = '" + conninfo.toString().replace("'", "''") + "'");
            kept.add("primary_slot_name = '" + slotName() + "'");
            kept.add("recovery_min_apply_delay = '" + config.replication().applyDelay().toMillis() + "ms'");
            Files.write(auto, kept, StandardCharsets.UTF_8);
            Path signal = dataDir.resolve("standby.signal");
            if (!Files.exists(signal)) {
                Files.createFile(signal);
            }
            if (runAs != null) {
                runAs.chownRecursively(auto);
                runAs.chownRecursively(signal);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("replica " + index + ": cannot configure " + dataDir, e);
        }
    }

    private void copyCluster(Path source, Path target) throws IOException {
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path rel = source.relativize(dir);
                Files.createDirectories(target.resolve(rel.toString()));
                if (rel.getNameCount() == 1 && EMPTIED_DIRS.contains(rel.toString())) {
                    if (rel.toString().equals("pg_wal")) {
                        Files.createDirectories(target.resolve("pg_wal/archive_status"));
                    }
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                String name = file.getFileName().toString();
                if (SKIPPED_FILES.contains(name) || name.startsWith("pgsql_tmp") || !attrs.isRegularFile()) {
                    return FileVisitResult.CONTINUE;
                }
                try {
                    Files.copy(file, target.resolve(source.relativize(file).toString()), StandardCopyOption.REPLACE_EXISTING);
                } catch (NoSuchFileException vanished) {
                    // dropped by the primary during the copy; replay knows
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
    }

    private String primaryUrl() {
        DataConfig.Embedded p = config.embedded();
        return "jdbc:postgresql://" + p.host() + ":" + p.port() + "/postgres";
    }

    private Connection primary() throws SQLException {
        return DriverManager.getConnection(primaryUrl(), PostgresLauncher.credentials(config));
    }
}
