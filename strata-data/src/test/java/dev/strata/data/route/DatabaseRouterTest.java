package dev.strata.data.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.common.config.ByteSize;
import dev.strata.data.DataConfig;
import dev.strata.data.testing.ReplicatedPostgres;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The router over a real primary and two real replicas, replica 2 replaying two seconds late. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DatabaseRouterTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @RegisterExtension
    static final ReplicatedPostgres PG = new ReplicatedPostgres(2, Duration.ofSeconds(2), 2);

    private static DatabaseRouter router;

    @BeforeAll
    static void open() throws SQLException {
        router = DatabaseRouter.open("test", cluster(List.of(1, 2), Duration.ofSeconds(5)), List.of());
        router.write(c -> {
            try (Statement s = c.createStatement()) {
                s.execute("CREATE TABLE notes (id int PRIMARY KEY, body text)");
            }
            return null;
        });
    }

    @AfterAll
    static void close() {
        if (router != null) {
            router.close();
        }
    }

    /** The test cluster given by JDBC URLs, as a managed database would be: max_lag 1s. */
    static DataConfig cluster(List<Integer> replicas, Duration tokenWait) {
        DataConfig base = PG.dataConfig();
        DataConfig.Routing r = base.routing();
        return base.withCluster(PG.primary().jdbcUrl(), replicas.stream().map(i -> PG.replica(i).jdbcUrl()).toList())
                .withRouting(new DataConfig.Routing(new ByteSize(16 << 20), Duration.ofSeconds(1), Duration.ofMillis(100),
                        Duration.ofMillis(500), Duration.ofSeconds(5), tokenWait, r.tokenTtl(), r.primaryRetryAfter()));
    }

    @Test
    @Order(1)
    void readsGoToTheReplicasLeastBusyFirstAndWritesToThePrimary() throws Exception {
        assertThat(awaitState("replica-1", "healthy")).isTrue();
        assertThat(awaitState("replica-2", "healthy")).isTrue();
        Set<Integer> servedBy = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            servedBy.add(router.read(DatabaseRouterTest::port));
        }
        assertThat(servedBy).containsExactlyInAnyOrder(PG.replica(1).port(), PG.replica(2).port());
        Written<Integer> written = router.write(DatabaseRouterTest::port);
        assertThat(written.value()).isEqualTo(PG.primary().port());
        assertThat(written.position()).isGreaterThan(WalPosition.ZERO);
        assertThat(router.nodes()).extracting(NodeView::name).containsExactly("primary", "replica-1", "replica-2");
        assertThat(router.nodes().getFirst().state()).isEqualTo("up");
    }

    @Test
    @Order(2)
    void aReplicaPastMaxLagIsShunnedAndComesBackOnceCaughtUp() throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger id = new AtomicInteger(10_000);
        Thread writer = Thread.ofVirtual().start(() -> {
            while (writing.get()) {
                try {
                    insert(id.incrementAndGet(), "load");
                    Thread.sleep(50);
                } catch (Exception e) {
                    return;
                }
            }
        });
        try {
            assertThat(awaitState("replica-2", "lagging")).isTrue();
            NodeView lagging = view("replica-2");
            assertThat(lagging.lagMillis()).isGreaterThan(1000);
            for (int i = 0; i < 20; i++) {
                assertThat(router.read(DatabaseRouterTest::port)).isEqualTo(PG.replica(1).port());
            }
        } finally {
            writing.set(false);
            writer.join();
        }
        assertThat(awaitState("replica-2", "healthy")).isTrue();
        assertThat(ReplicatedPostgres.await(WAIT, () -> readPort() == PG.replica(2).port())).isTrue();
    }

    @Test
    @Order(3)
    void aReadAtTheWritesPositionAlwaysSeesTheWrite() throws Exception {
        int stale = 0;
        for (int i = 1; i <= 1000; i++) {
            WalPosition at = insert(i, "note " + i);
            int id = i;
            String body = router.read(at, c -> body(c, id));
            if (!("note " + i).equals(body)) {
                stale++;
            }
        }
        assertThat(stale).isZero();
        assertThat(router.tokenReads()).isGreaterThanOrEqualTo(1000);
    }

    @Test
    @Order(4)
    void aPositionNoReplicaReachesInTimeIsReadOnThePrimary() throws Exception {
        try (DatabaseRouter delayedOnly = DatabaseRouter.open("delayed", cluster(List.of(2), Duration.ofMillis(200)), List.of())) {
            Written<Integer> written = delayedOnly.write(c -> {
                insertOn(c, 5000, "fresh");
                return 0;
            });
            AtomicReference<Integer> port = new AtomicReference<>();
            String body = delayedOnly.read(written.position(), c -> {
                port.set(port(c));
                return body(c, 5000);
            });
            assertThat(body).isEqualTo("fresh");
            assertThat(port.get()).as("the replica replays 2 s late; the wait is 200 ms").isEqualTo(PG.primary().port());
            assertThat(delayedOnly.tokenWaits()).isEqualTo(1);
            assertThat(delayedOnly.primaryFallbacks()).isEqualTo(1);
        }
    }

    @Test
    @Order(5)
    void aReplicaKilledUnderReadLoadCostsNoReadAndReturnsOnceCaughtUp() throws Exception {
        AtomicBoolean reading = new AtomicBoolean(true);
        AtomicInteger failures = new AtomicInteger();
        AtomicInteger reads = new AtomicInteger();
        List<Thread> readers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            readers.add(Thread.ofVirtual().start(() -> {
                while (reading.get()) {
                    try {
                        router.read(DatabaseRouterTest::port);
                        reads.incrementAndGet();
                    } catch (SQLException e) {
                        failures.incrementAndGet();
                    }
                }
            }));
        }
        try {
            assertThat(ReplicatedPostgres.await(WAIT, () -> reads.get() > 100)).isTrue();
            PG.killReplica(1);
            insert(7000, "while replica 1 is down");
            assertThat(awaitStateIn("replica-1", Set.of("down", "ejected"))).isTrue();
            int before = reads.get();
            assertThat(ReplicatedPostgres.await(WAIT, () -> reads.get() > before + 200)).isTrue();
            PG.restartReplica(1, PG.replicaConfig(1));
            assertThat(awaitState("replica-1", "healthy")).isTrue();
            assertThat(ReplicatedPostgres.await(WAIT, () -> readPort() == PG.replica(1).port())).isTrue();
        } finally {
            reading.set(false);
            for (Thread t : readers) {
                t.join();
            }
        }
        assertThat(failures.get()).as("failed reads").isZero();
    }

    @Test
    @Order(6)
    void withoutThePrimaryWritesFailAtOnceReadsGoOnAndWritesComeBackWithIt() throws Exception {
        PG.killPrimary();
        assertThat(awaitStateIn("primary", Set.of("down"))).isTrue();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> insert(8000, "no primary"))
                .isInstanceOf(PrimaryUnavailableException.class)
                .satisfies(e -> assertThat(((PrimaryUnavailableException) e).retryAfter()).isPositive());
        assertThat(router.mode(Duration.ofMillis(500))).isEqualTo("read-only");
        Set<Integer> servedBy = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            servedBy.add(router.read(DatabaseRouterTest::port));
        }
        assertThat(servedBy).as("reads served by the replicas").isSubsetOf(PG.replica(1).port(), PG.replica(2).port());
        PG.restartPrimary();
        assertThat(ReplicatedPostgres.await(WAIT, () -> {
            try {
                insert(8001, "primary back");
                return true;
            } catch (SQLException e) {
                return false;
            }
        })).isTrue();
        assertThat(router.mode(Duration.ofSeconds(5))).isEqualTo("read-write");
    }

    private static WalPosition insert(int id, String body) throws SQLException {
        return router.write(c -> {
            insertOn(c, id, body);
            return null;
        }).position();
    }

    private static void insertOn(java.sql.Connection c, int id, String body) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO notes VALUES (?, ?)")) {
            s.setInt(1, id);
            s.setString(2, body);
            s.execute();
        }
    }

    private static String body(java.sql.Connection c, int id) throws SQLException {
        try (PreparedStatement s = c.prepareStatement("SELECT body FROM notes WHERE id = ?")) {
            s.setInt(1, id);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    @Test
    @Order(7)
    void aReadNamesAPositionItsDataIsAtLeastAsFreshAs() throws Exception {
        // only the late replica, within max_lag: reads without a position see old data for two seconds
        DataConfig base = cluster(List.of(2), Duration.ofMillis(100));
        DataConfig.Routing r = base.routing();
        DataConfig late = base.withRouting(new DataConfig.Routing(r.maxLagBytes(), Duration.ofSeconds(30),
                r.pollInterval(), r.ejection(), r.maxEjection(), r.tokenWait(), r.tokenTtl(), r.primaryRetryAfter()));
        try (DatabaseRouter lateRouter = DatabaseRouter.open("late", late, List.of())) {
            int sawOld = 0;
            for (int i = 1; i <= 20; i++) {
                int id = 50_000 + i;
                WalPosition written = insert(id, "fresh " + i);
                ReadAt<String> without = lateRouter.readAt(null, c -> body(c, id));
                if (without.value() == null) {
                    sawOld++;
                    assertThat(without.position().reached(written)).as("old data never claims the write's position")
                            .isFalse();
                }
                ReadAt<String> withToken = lateRouter.readAt(written, c -> body(c, id));
                assertThat(withToken.value()).isEqualTo("fresh " + i);
                assertThat(withToken.position().reached(written)).as("a token's read is at its position").isTrue();
            }
            assertThat(sawOld).as("the late replica answered reads before it replayed").isPositive();
        }
    }

    static int port(java.sql.Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT inet_server_port()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static int readPort() {
        try {
            return router.read(DatabaseRouterTest::port);
        } catch (SQLException e) {
            return -1;
        }
    }

    private static NodeView view(String name) {
        return router.nodes().stream().filter(n -> n.name().equals(name)).findFirst().orElseThrow();
    }

    private static boolean awaitState(String name, String state) throws InterruptedException {
        return awaitStateIn(name, Set.of(state));
    }

    private static boolean awaitStateIn(String name, Set<String> states) throws InterruptedException {
        return ReplicatedPostgres.await(WAIT, () -> states.contains(view(name).state()));
    }
}
