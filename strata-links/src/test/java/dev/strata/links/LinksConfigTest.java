package dev.strata.links;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.common.config.ByteSize;
import dev.strata.common.config.ConfigException;
import dev.strata.common.config.ConfigLoader;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LinksConfigTest {

    @Test
    void defaults() {
        LinksConfig c = ConfigLoader.defaults().section("links", LinksConfig.class);
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.port()).isEqualTo(8081);
        assertThat(c.nodeName()).isEqualTo("links-1");
        assertThat(c.secret()).isEmpty();
        assertThat(c.publicUrl()).isEmpty();
        assertThat(c.maxBody()).isEqualTo(new ByteSize(16 * 1024));
        assertThat(c.shutdownGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.clickFlushInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.cacheMaxAge()).isEqualTo(Duration.ofSeconds(60));
    }

    @Test
    void theCliOverridesNameAndPort() {
        LinksConfig c = ConfigLoader.defaults().section("links", LinksConfig.class).withNode("links-2", 8082);
        assertThat(c.nodeName()).isEqualTo("links-2");
        assertThat(c.port()).isEqualTo(8082);
    }

    @Test
    void badValuesNameTheKey() {
        assertThatThrownBy(() -> ConfigLoader.fromYaml("links:\n  port: 70000\n", "t").section("links", LinksConfig.class))
                .isInstanceOf(ConfigException.class).hasMessageContaining("links.port").hasMessageContaining("70000 (expected: 0..65535)");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("links:\n  click_flush_interval: 0s\n", "t").section("links", LinksConfig.class))
                .isInstanceOf(ConfigException.class).hasMessageContaining("clickFlushInterval");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("links:\n  max_bdy: 1KiB\n", "t").section("links", LinksConfig.class))
                .isInstanceOf(ConfigException.class).hasMessageContaining("max_bdy");
    }
}
