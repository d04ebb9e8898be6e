package dev.strata.cli.up;

import java.time.Duration;
import java.util.List;

/** The {@code up} section: how {@code ./strata up} lays a stage's topology out on this machine. */
public record UpConfig(int stage, int nodes, String runDir, String host, Ports ports, Duration startupTimeout,
                       Duration stopTimeout, boolean restart, JvmOptions jvmOptions) {

    public UpConfig {
        if (stage < 0 || stage > Stage.HIGHEST) {
            throw new IllegalArgumentException("stage: " + stage + " (expected: 0.." + Stage.HIGHEST + ")");
        }
        if (nodes < 1 || nodes > 64) {
            throw new IllegalArgumentException("nodes: " + nodes + " (expected: 1..64)");
        }
    }

    public record Ports(int gateway, int gatewayAdmin, int links, int postgres) {}

    public record JvmOptions(List<String> postgres, List<String> links, List<String> gateway) {}

    UpConfig with(int newStage, int newNodes) {
        return new UpConfig(newStage, newNodes, runDir, host, ports, startupTimeout, stopTimeout, restart, jvmOptions);
    }
}
