package dev.strata.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.data.testing.PostgresExtension;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DatabaseTest {

    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @Test
    void opensAPoolAndMigratesOnceOnly() throws Exception {
        try (Database db = Database.open("test", PG.dataConfig(), List.of("classpath:db/migration/datatest"))) {
            try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO notes (body) VALUES ('hello')");
            }
            assertThat(db.isReachable(Duration.ofSeconds(1))).isTrue();
        }
        try (Database again = Database.open("test", PG.dataConfig(), List.of("classpath:db/migration/datatest"));
             Connection c = again.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM notes")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
    }

    @Test
    void anUnreachableDatabaseFailsToOpenWithItsUrl() {
        int port = PostgresExtension.freePort();
        DataConfig base = PG.dataConfig();
        DataConfig nowhere = new DataConfig("jdbc:postgresql://127.0.0.1:" + port + "/none", base.user(), base.password(),
                new DataConfig.Pool(2, 0, Duration.ofMillis(500), Duration.ofMinutes(1), Duration.ofMinutes(5)), base.embedded(),
                base.replicaUrls(), base.replication(), base.routing());
        assertThatThrownBy(() -> Database.open("nowhere", nowhere, List.of())).hasStackTraceContaining("127.0.0.1:" + port);
    }
}
