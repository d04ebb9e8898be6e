package dev.strata.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import dev.strata.data.testing.PostgresExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EmbeddedPostgresTest {

    @Test
    void restartKeepsDataAndFreshWipesIt() throws Exception {
        DataConfig config = PostgresExtension.embeddedConfig(Path.of("target", "pg", "restart-" + UUID.randomUUID()));
        long firstPid;
        try (RunningPostgres pg = EmbeddedPostgres.start(config, false)) {
            firstPid = pg.pid();
            assertThat(ProcessHandle.of(firstPid)).isPresent();
            execute(pg, config, "CREATE TABLE kept (v text)", "INSERT INTO kept VALUES ('survives')");
        }
        assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();

        try (RunningPostgres pg = EmbeddedPostgres.start(config, false)) {
            assertThat(pg.pid()).isNotEqualTo(firstPid);
            assertThat(queryString(pg, config, "SELECT v FROM kept")).isEqualTo("survives");
        }
        try (RunningPostgres pg = EmbeddedPostgres.start(config, true)) {
            assertThat(queryString(pg, config, "SELECT count(*) FROM pg_tables WHERE tablename = 'kept'")).isEqualTo("0");
            assertThat(queryString(pg, config, "SELECT current_database()")).isEqualTo("strata");
        }
    }

    @Test
    void asRootTheServerRunsAsTheUnprivilegedAccountThroughSetpriv() throws Exception {
        assumeThat(currentUid()).as("needs root").isZero();
        DataConfig config = PostgresExtension.embeddedConfig(Path.of("target", "pg", "setpriv-" + UUID.randomUUID()));
        try (RunningPostgres pg = EmbeddedPostgres.start(config, false)) {
            assertThat(uidOf(pg.pid())).isEqualTo(65534);
            assertThat(Files.getOwner(pg.dataDirectory()).getName()).isEqualTo("nobody");
            assertThat(queryString(pg, config, "SELECT current_user")).isEqualTo("strata");
        }
    }

    @Test
    void asRootADirClosedToOthersFallsBackUnderVarTmp() throws Exception {
        assumeThat(currentUid()).as("needs root").isZero();
        Path closed = Path.of("target", "pg", "closed-" + UUID.randomUUID()).toAbsolutePath();
        Files.createDirectories(closed, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        DataConfig config = PostgresExtension.embeddedConfig(closed.resolve("postgres"));
        Path fallbackBase = null;
        try (RunningPostgres pg = EmbeddedPostgres.start(config, false)) {
            fallbackBase = pg.dataDirectory().getParent();
            assertThat(pg.dataDirectory()).startsWith(Path.of("/var/tmp/strata-postgres"));
            assertThat(queryString(pg, config, "SELECT 1")).isEqualTo("1");
        } finally {
            if (fallbackBase != null) {
                new ProcessBuilder("rm", "-rf", fallbackBase.toString()).inheritIO().start().waitFor();
            }
        }
    }

    @Test
    void withoutRootTheServerRunsDirectly() throws Exception {
        assumeThat(currentUid()).as("needs root to become another account").isZero();
        ChildJvm.Result result = ChildJvm.runAsNobody(LaunchAndQuery.class);
        assertThat(result.exitCode()).as(result.output()).isZero();
        assertThat(result.output()).contains("current_user=strata").contains("postmaster_uid=65534");
    }

    static int currentUid() throws IOException {
        return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue();
    }

    static int uidOf(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")).stream()
                .filter(l -> l.startsWith("Uid:"))
                .map(l -> Integer.parseInt(l.split("\\s+")[1]))
                .findFirst().orElseThrow();
    }

    static void execute(RunningPostgres pg, DataConfig config, String... sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), config.user(), config.password());
             Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        }
    }

    static String queryString(RunningPostgres pg, DataConfig config, String sql) throws SQLException {
        try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), config.user(), config.password());
             Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
