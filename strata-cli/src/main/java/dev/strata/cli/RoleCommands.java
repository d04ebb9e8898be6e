package dev.strata.cli;

import dev.strata.cli.up.UpConfig;
import dev.strata.common.config.ConfigLoader;
import dev.strata.common.config.Units;
import dev.strata.data.DataConfig;
import dev.strata.data.PostgresNode;
import dev.strata.gateway.Gateway;
import dev.strata.links.LinksConfig;
import dev.strata.links.LinksNode;
import dev.strata.redis.RedisConfig;
import dev.strata.redis.RedisNode;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The roles {@code ./strata up} starts as child processes. Hidden from the help (a user starts a
 * topology with {@code up}), yet usable by hand: each runs in the foreground until SIGTERM or Ctrl-C.
 */
final class RoleCommands {

    private RoleCommands() {}

    private static ConfigLoader load(Path config) {
        return config == null ? ConfigLoader.defaults() : ConfigLoader.fromFile(config);
    }

    @Command(name = "links", hidden = true, mixinStandardHelpOptions = true, description = "Run one links node.")
    static final class Links implements Callable<Integer> {
        @Option(names = "--config", description = "YAML configuration file.") Path config;
        @Option(names = "--name", description = "Node name (X-Served-By); overrides links.node_name.") String name;
        @Option(names = "--port", description = "Port; overrides links.port.") Integer port;

        @Override
        public Integer call() {
            ConfigLoader loader = load(config);
            LinksConfig links = loader.section("links", LinksConfig.class);
            if (name != null || port != null) {
                links = links.withNode(name != null ? name : links.nodeName(), port != null ? port : links.port());
            }
            LinksNode.run(links, loader.section("data", DataConfig.class));
            return 0;
        }
    }

    @Command(name = "postgres", aliases = "postgres-primary", hidden = true, mixinStandardHelpOptions = true,
            description = "Run the embedded PostgreSQL server (the primary, when it has replicas).")
    static final class Postgres implements Callable<Integer> {
        @Option(names = "--config", description = "YAML configuration file.") Path config;
        @Option(names = "--fresh", description = "Wipe the data directory first.") boolean fresh;

        @Override
        public Integer call() {
            PostgresNode.run(load(config).section("data", DataConfig.class), fresh);
            return 0;
        }
    }

    @Command(name = "redis", hidden = true, mixinStandardHelpOptions = true,
            description = "Run the embedded Redis server that gateways share.")
    static final class Redis implements Callable<Integer> {
        @Option(names = "--config", description = "YAML configuration file.") Path config;

        @Override
        public Integer call() {
            RedisNode.run(load(config).section("redis", RedisConfig.class));
            return 0;
        }
    }

    @Command(name = "postgres-replica", hidden = true, mixinStandardHelpOptions = true,
            description = "Run embedded replica N of the embedded PostgreSQL primary.")
    static final class PostgresReplica implements Callable<Integer> {
        @Option(names = "--config", description = "YAML configuration file.") Path config;
        @Option(names = "--replica", required = true, description = "Which replica (from 1).") int replica;
        @Option(names = "--fresh", description = "Rebuild it from a new base backup first.") boolean fresh;
        @Option(names = "--apply-delay", description = "Replay each commit this long after it happened "
                + "(e.g. 3s); overrides data.replication.apply_delay for this replica.") String applyDelay;

        @Override
        public Integer call() {
            DataConfig data = load(config).section("data", DataConfig.class);
            if (applyDelay != null) {
                data = data.withReplication(data.replication().withApplyDelay(Units.parseDuration(applyDelay)));
            }
            PostgresNode.runReplica(data, replica, fresh);
            return 0;
        }
    }

    @Command(name = "jvm-options", hidden = true, mixinStandardHelpOptions = true,
            description = "Print, one per line, the JVM options a node of ROLE starts with (up.jvm_options).")
    static final class JvmOptionsOfRole implements Callable<Integer> {
        @Parameters(index = "0", paramLabel = "ROLE", description = "postgres, redis, links or gateway.") String role;
        @Option(names = "--config", description = "YAML file whose `up` section overrides the defaults.") Path config;

        @Override
        public Integer call() {
            for (String option : load(config).section("up", UpConfig.class).jvmOptions().forRole(role)) {
                System.out.println(option);
            }
            return 0;
        }
    }

    @Command(name = "gateway", mixinStandardHelpOptions = true,
            description = "Run one gateway: reverse proxy and load balancer (SIGHUP reloads the file, SIGTERM drains).")
    static final class GatewayRole implements Callable<Integer> {
        @Option(names = "--config", required = true, description = "YAML file with a `gateway` section.") Path config;

        @Override
        public Integer call() throws InterruptedException {
            Gateway.run(config);
            return 0;
        }
    }
}
