package dev.strata.redis;

import dev.strata.redis.internal.RedisLauncher;

/**
 * Runs a real redis-server, the statically linked linux-amd64 binary that ships inside
 * {@code org.signal:embedded-redis} on Maven Central, as a child process (that library's Java code is
 * never used). The binary is unpacked once into {@code <dir>/../redis-bin-<version>} and checked by
 * size and SHA-256 on every start; the server gets a generated {@code <dir>/redis.conf} (the
 * configured loopback address and port, its dir, the configured persistence), is ready once it
 * answers {@code PING}, and ends with its owner, even one that was killed. Other platforms get an
 * {@link UnsupportedOperationException} naming the one supported.
 */
public final class EmbeddedRedis {

    private EmbeddedRedis() {}

    /** Starts the server of {@code config} and waits until it answers {@code PING}. */
    public static RunningRedis start(RedisConfig config) {
        return RedisLauncher.start(config);
    }

    /** Whether a Redis on {@code host:port} answers {@code PING} with {@code PONG} (one short attempt). */
    public static boolean answersPing(String host, int port) {
        return dev.strata.redis.internal.Ping.pong(host, port, 2000);
    }
}
