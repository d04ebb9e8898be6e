package dev.strata.gateway.testing;

import dev.strata.common.config.ConfigLoader;
import dev.strata.gateway.config.GatewayConfig;

/** Gateway configurations for tests: loopback, any free port, no access log. */
public final class Configs {

    private Configs() {}

    /** A gateway over {@code endpoints} with active checks and the warm-up off, plus extra YAML lines under {@code gateway:}. */
    public static GatewayConfig gateway(String extra, String... endpoints) {
        StringBuilder yaml = new StringBuilder()
                .append("gateway:\n")
                .append("  io_threads: 2\n")
                .append("  listeners: [{name: main, address: 127.0.0.1:0}]\n")
                .append("  access_log: {enabled: false}\n");
        if (!extra.contains("  admin:")) {
            yaml.append("  admin: {address: 127.0.0.1:0}\n");
        }
        if (!extra.contains("  warmup:")) {
            yaml.append("  warmup: {enabled: false}\n");
        }
        yaml.append(extra);
        if (!extra.contains("  upstreams:")) {
            yaml.append("  upstreams:\n    app:\n      endpoints: [")
                    .append(String.join(", ", endpoints))
                    .append("]\n      health: {active: {enabled: false}}\n");
        }
        return yaml(yaml.toString());
    }

    public static GatewayConfig yaml(String yaml) {
        return ConfigLoader.fromYaml(yaml, "test").section("gateway", GatewayConfig.class);
    }
}
