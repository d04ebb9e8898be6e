package dev.strata.data.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.common.config.ConfigLoader;
import dev.strata.data.DataConfig;
import org.junit.jupiter.api.Test;

class ReplicationSettingsTest {

    @Test
    void streamingIsAsynchronousByDefaultAndAQuorumIsOneSetting() {
        DataConfig async = ConfigLoader.defaults().section("data", DataConfig.class);
        assertThat(Replication.primarySettings(async)).noneMatch(s -> s.startsWith("synchronous_standby_names"));

        DataConfig quorum = ConfigLoader.fromYaml("data:\n  replication:\n    replicas: 3\n    synchronous_quorum: 2\n", "t")
                .section("data", DataConfig.class);
        assertThat(Replication.primarySettings(quorum)).contains("synchronous_standby_names=ANY 2 (*)");
        assertThat(Replication.primarySettings(quorum)).contains("max_slot_wal_keep_size=1024MB");
    }

    @Test
    void primaryAndReplicasShareTheSettingsAHotStandbyChecks() {
        DataConfig config = ConfigLoader.fromYaml("data:\n  replication:\n    replicas: 12\n", "t").section("data", DataConfig.class);
        assertThat(Replication.streamingSettings(config)).contains("max_wal_senders=16", "hot_standby_feedback=on");
    }
}
