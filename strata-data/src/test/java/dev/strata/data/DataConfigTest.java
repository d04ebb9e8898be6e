package dev.strata.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.common.config.ConfigException;
import dev.strata.common.config.ConfigLoader;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DataConfigTest {

    @Test
    void defaultsPointAtTheEmbeddedServer() {
        DataConfig config = ConfigLoader.defaults().section("data", DataConfig.class);
        assertThat(config.url()).isEmpty();
        assertThat(config.jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:15432/strata");
        assertThat(config.embedded().dir()).isEqualTo("run/postgres");
        assertThat(config.embedded().unprivilegedUser()).isEqualTo("nobody");
        assertThat(config.pool().maxSize()).isEqualTo(10);
        assertThat(config.pool().connectionTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void anExplicitUrlWins() {
        DataConfig config = ConfigLoader.fromYaml("data:\n  url: jdbc:postgresql://db:5432/x\n  pool:\n    max_size: 3\n", "t")
                .section("data", DataConfig.class);
        assertThat(config.jdbcUrl()).isEqualTo("jdbc:postgresql://db:5432/x");
        assertThat(config.pool().maxSize()).isEqualTo(3);
    }

    @Test
    void badValuesAreRejectedWithTheirName() {
        assertThatThrownBy(() -> ConfigLoader.fromYaml("data:\n  pool:\n    max_size: 0\n", "t").section("data", DataConfig.class))
                .isInstanceOf(ConfigException.class).hasMessageContaining("maxSize: 0 (expected: > 0)");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("data:\n  embedded:\n    prot: 1\n", "t").section("data", DataConfig.class))
                .isInstanceOf(ConfigException.class).hasMessageContaining("prot");
    }

    @Test
    void embeddedReplicasSitBesideThePrimary() {
        DataConfig config = ConfigLoader.fromYaml("data:\n  replication:\n    replicas: 2\n", "t").section("data", DataConfig.class);
        assertThat(config.replicaJdbcUrls()).containsExactly(
                "jdbc:postgresql://127.0.0.1:15433/strata", "jdbc:postgresql://127.0.0.1:15434/strata");
        assertThat(config.embedded().replica(1).dir()).isEqualTo("run/postgres-replica-1");
        DataConfig managed = ConfigLoader.fromYaml("data:\n  url: jdbc:postgresql://db:5432/x\n"
                + "  replica_urls: [jdbc:postgresql://r1:5432/x]\n", "t").section("data", DataConfig.class);
        assertThat(managed.replicaJdbcUrls()).containsExactly("jdbc:postgresql://r1:5432/x");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("data:\n  replication:\n    replicas: -1\n", "t").section("data", DataConfig.class))
                .isInstanceOf(ConfigException.class).hasMessageContaining("data.replication.replicas").hasMessageContaining("-1 (expected: 0..16)");
    }
}
