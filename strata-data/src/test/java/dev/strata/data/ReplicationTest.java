package dev.strata.data;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.common.config.ByteSize;
import dev.strata.data.testing.ReplicatedPostgres;
import java.nio.file.Files;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A real primary streaming to two real replicas; replica 2 replays two seconds late. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReplicationTest {

    private static final Duration DELAY = Duration.ofSeconds(2);
    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final ReplicatedPostgres PG = new ReplicatedPostgres(2, DELAY, 2);

    @Test
    @Order(1)
    void aWriteOnThePrimaryIsReadOnBothReplicas() throws Exception {
        PG.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)", "INSERT INTO notes VALUES (1, 'first')");
        assertThat(ReplicatedPostgres.await(WAIT, () -> "first".equals(read(1, "SELECT body FROM notes WHERE id = 1")))).isTrue();
        assertThat(ReplicatedPostgres.await(WAIT, () -> "first".equals(read(2, "SELECT body FROM notes WHERE id = 1")))).isTrue();
        assertThat(PG.query(PG.replica(1), "SELECT pg_is_in_recovery()")).isEqualTo("t");
        assertThat(PG.query(PG.primary(), "SELECT pg_is_in_recovery()")).isEqualTo("f");
        assertThat(PG.query(PG.replica(1), "SHOW hot_standby_feedback")).isEqualTo("on");
        assertThat(PG.query(PG.primary(), "SELECT count(*) FROM pg_replication_slots WHERE active")).isEqualTo("2");
    }

    @Test
    @Order(2)
    void aDelayedReplicaShowsLag() throws Exception {
        assertThat(PG.query(PG.replica(2), "SHOW recovery_min_apply_delay")).isEqualTo("2s");
        Instant committed = Instant.now();
        PG.execute("INSERT INTO notes VALUES (2, 'second')");
        assertThat(ReplicatedPostgres.await(WAIT, () -> "second".equals(read(1, "SELECT body FROM notes WHERE id = 2")))).isTrue();
        assertThat(ReplicatedPostgres.await(WAIT, () -> "second".equals(read(2, "SELECT body FROM notes WHERE id = 2")))).isTrue();
        assertThat(Duration.between(committed, Instant.now())).as("replica 2 replays no earlier than its delay")
                .isGreaterThanOrEqualTo(DELAY);
    }

    @Test
    @Order(3)
    void aKilledReplicaCatchesUpThroughItsSlot() throws Exception {
        Object clusterBefore = Files.readAttributes(PG.replica(1).dataDirectory(),
                java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        PG.killReplica(1);
        PG.execute("INSERT INTO notes SELECT g, 'while down' FROM generate_series(100, 1099) g");
        PG.restartReplica(1, PG.replicaConfig(1));
        assertThat(ReplicatedPostgres.await(WAIT, () -> "1000".equals(read(1, "SELECT count(*) FROM notes WHERE id >= 100")))).isTrue();
        assertThat(Files.readAttributes(PG.replica(1).dataDirectory(),
                java.nio.file.attribute.BasicFileAttributes.class).fileKey())
                .as("resumed, not rebuilt").isEqualTo(clusterBefore);
    }

    @Test
    @Order(4)
    void aReplicaTooFarBehindIsRebuilt() throws Exception {
        Object clusterBefore = Files.readAttributes(PG.replica(1).dataDirectory(),
                java.nio.file.attribute.BasicFileAttributes.class).fileKey();
        PG.killReplica(1);
        PG.execute("INSERT INTO notes VALUES (3, 'third')");
        PG.query(PG.primary(), "SELECT pg_switch_wal()");
        PG.execute("INSERT INTO notes VALUES (4, 'fourth')");
        DataConfig.Replication r = PG.replicaConfig(1).replication();
        DataConfig strict = PG.replicaConfig(1).withReplication(new DataConfig.Replication(r.replicas(), r.role(),
                r.synchronousQuorum(), r.applyDelay(), r.maxSlotWalKeep(), new ByteSize(1024)));
        PG.restartReplica(1, strict);
        assertThat(ReplicatedPostgres.await(WAIT, () -> "fourth".equals(read(1, "SELECT body FROM notes WHERE id = 4")))).isTrue();
        assertThat(Files.readAttributes(PG.replica(1).dataDirectory(),
                java.nio.file.attribute.BasicFileAttributes.class).fileKey())
                .as("rebuilt from a new base backup").isNotEqualTo(clusterBefore);
        assertThat(PG.query(PG.primary(), "SELECT count(*) FROM pg_replication_slots WHERE active")).isEqualTo("2");
    }

    private static String read(int replica, String sql) {
        try {
            return PG.query(PG.replica(replica), sql);
        } catch (SQLException e) {
            return null;
        }
    }
}
