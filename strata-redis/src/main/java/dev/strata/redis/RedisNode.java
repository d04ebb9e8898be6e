package dev.strata.redis;

import dev.strata.common.process.NodeProcess;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code redis} role: runs the embedded redis-server until this JVM is told to stop (SIGTERM,
 * SIGINT, or the supervisor's end of stdin), then stops it and exits with status 0. Should the JVM
 * be killed outright, the server gets SIGTERM from the kernel (see {@link EmbeddedRedis}).
 */
public final class RedisNode {

    private static final Logger LOG = LoggerFactory.getLogger(RedisNode.class);

    private RedisNode() {}

    /** Starts the server, logs {@code ready}, and blocks until the JVM shuts down. */
    public static void run(RedisConfig config) {
        RunningRedis server = EmbeddedRedis.start(config);
        NodeProcess.serveUntilStopped("redis", () -> {
            LOG.info("stopping redis-server (pid {})", server.pid());
            server.close();
        }, () -> LOG.info("ready: redis at {} (redis-server pid {})", server.uri(), server.pid()));
    }
}
