package dev.strata.cli.up;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The {@code up} section: how {@code ./strata up} lays a stage's topology out on this machine. */
public record UpConfig(int stage, int nodes, int gateways, String runDir, String host, Ports ports, Duration startupTimeout,
                       Duration stopTimeout, boolean restart, JvmOptions jvmOptions) {

    public UpConfig {
        if (stage < 0 || stage > Stage.HIGHEST) {
            throw new IllegalArgumentException("stage: " + stage + " (expected: 0.." + Stage.HIGHEST + ")");
        }
        if (nodes < 1 || nodes > 64) {
            throw new IllegalArgumentException("nodes: " + nodes + " (expected: 1..64)");
        }
        if (gateways < 1 || gateways > 16) {
            throw new IllegalArgumentException("gateways: " + gateways + " (expected: 1..16)");
        }
    }

    /**
     * @param gateway      the first gateway (the entry point)
     * @param gatewayAdmin its admin API; gateway-N's is this plus N - 1
     * @param moreGateways gateway-2; gateway-N listens on this plus N - 2
     */
    public record Ports(int gateway, int gatewayAdmin, int moreGateways, int links, int postgres, int redis) {}

    public record JvmOptions(List<String> postgres, List<String> redis, List<String> links, List<String> gateway) {

        /** The options a node of {@code role} starts with on this JDK (see {@link #forThisJdk}). */
        public List<String> forRole(String role) {
            return forThisJdk(switch (role) {
                case "postgres" -> postgres;
                case "redis" -> redis;
                case "links" -> links;
                case "gateway" -> gateway;
                default -> throw new IllegalArgumentException("unknown role: " + role
                        + " (expected: postgres, redis, links, gateway)");
            });
        }

        /**
         * {@code options} with what this JDK needs besides: Java 23+ checks every {@code sun.misc.Unsafe}
         * memory access unless allowed, which undoes {@code -Dio.netty.noUnsafe=false}; Java 21 does not
         * know the option.
         */
        static List<String> forThisJdk(List<String> options) {
            if (options.contains("-Dio.netty.noUnsafe=false") && Runtime.version().feature() >= 23) {
                List<String> all = new ArrayList<>(options);
                all.add("--sun-misc-unsafe-memory-access=allow");
                return List.copyOf(all);
            }
            return options;
        }
    }

    UpConfig with(int newStage, int newNodes, int newGateways) {
        return new UpConfig(newStage, newNodes, newGateways, runDir, host, ports, startupTimeout, stopTimeout, restart, jvmOptions);
    }
}
