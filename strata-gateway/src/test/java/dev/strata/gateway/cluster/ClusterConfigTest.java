package dev.strata.gateway.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.common.config.ConfigException;
import dev.strata.common.config.ConfigLoader;
import dev.strata.gateway.config.GatewayConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClusterConfigTest {

    private static ClusterConfig load(String cluster) {
        return ConfigLoader.fromYaml("gateway:\n  cluster: " + cluster + "\n", "test.yaml")
                .section("gateway", GatewayConfig.class).cluster();
    }

    @Test
    void offByDefault() {
        ClusterConfig c = ConfigLoader.defaults().section("gateway", GatewayConfig.class).cluster();
        assertThat(c.enabled()).isFalse();
        assertThat(c.redis()).isEqualTo("redis://127.0.0.1:16379");
        assertThat(c.heartbeat()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.memberTtl()).isEqualTo(Duration.ofSeconds(3));
        assertThat(c.ackTimeout()).as("how long a purge waits for the other gateways").isEqualTo(Duration.ofSeconds(5));
        assertThat(load("{ack_timeout: 250ms}").ackTimeout()).isEqualTo(Duration.ofMillis(250));
    }

    @Test
    void errorsNameTheKey() {
        assertThatThrownBy(() -> load("{redis: 'http://x:1'}")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("gateway.cluster.redis (line ").hasMessageContaining("): 'http://x:1' (expected: redis://host:port)");
        assertThatThrownBy(() -> load("{redis: 'redis://nohost'}")).hasMessageContaining("cluster.redis");
        assertThatThrownBy(() -> load("{heartbeat: 2s, member_ttl: 3s}"))
                .hasMessageContaining("gateway.cluster.member_ttl (line ").hasMessageContaining("): 3s (expected: at least twice the heartbeat");
        assertThatThrownBy(() -> load("{namespace: 'a b'}")).hasMessageContaining("cluster.namespace");
        assertThatThrownBy(() -> load("{reconnect_min: 10s, reconnect_max: 1s}")).hasMessageContaining("reconnect_max");
        assertThatThrownBy(() -> load("{max_message: 0}")).hasMessageContaining("cluster.max_message");
        assertThatThrownBy(() -> load("{ack_timeout: 0s}")).hasMessageContaining("gateway.cluster.ack_timeout")
                .hasMessageContaining("(expected: > 0)");
        assertThatThrownBy(() -> load("{hartbeat: 1s}")).hasMessageContaining("hartbeat");
    }

    @Test
    void reconnectPausesDoubleUpToTheMaximum() {
        Duration min = Duration.ofMillis(100);
        Duration max = Duration.ofSeconds(5);
        assertThat(RedisCluster.backoff(min, max, 1)).isEqualTo(Duration.ofMillis(100));
        assertThat(RedisCluster.backoff(min, max, 2)).isEqualTo(Duration.ofMillis(200));
        assertThat(RedisCluster.backoff(min, max, 6)).isEqualTo(Duration.ofMillis(3200));
        assertThat(RedisCluster.backoff(min, max, 7)).isEqualTo(max);
        assertThat(RedisCluster.backoff(min, max, 1000)).isEqualTo(max);
    }
}
