package dev.strata.links;

import dev.strata.common.config.ConfigLoader;
import java.time.Duration;

/** Link node configurations for tests: an ephemeral port, a known secret, fast click flushes. */
public final class TestNodes {

    public static final String SECRET = "test-secret-shared-by-all-nodes";

    private TestNodes() {}

    public static LinksConfig config(String name) {
        return config(name, Duration.ofMillis(100));
    }

    public static LinksConfig config(String name, Duration flushInterval) {
        String yaml = """
                links:
                  port: 0
                  node_name: %s
                  secret: %s
                  click_flush_interval: %dms
                  shutdown_grace: 5s
                """.formatted(name, SECRET, flushInterval.toMillis());
        return ConfigLoader.fromYaml(yaml, "test").section("links", LinksConfig.class);
    }
}
