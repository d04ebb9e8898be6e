package dev.strata.redis;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Section {@code redis} of the configuration: the embedded Redis server. Built-in defaults:
 * {@code strata/defaults/redis.yaml}.
 *
 * @param host         loopback address it listens on (it has no password, so nothing else is accepted)
 * @param port         port it listens on
 * @param dir          folder of its data and log; the binary is unpacked beside it
 * @param persistence  what survives a restart: {@code none} (memory only), {@code rdb} (snapshots to
 *                     {@code dump.rdb} after 3600 s with 1 change, 300 s with 100, 60 s with 10000) or
 *                     {@code aof} (an append-only file, fsync once a second)
 * @param startTimeout longest wait until it answers {@code PING}
 * @param stopTimeout  after SIGTERM, how long it may take before it is killed
 */
public record RedisConfig(String host, int port, String dir, String persistence, Duration startTimeout,
                          Duration stopTimeout) {

    public RedisConfig {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host: '' (expected: a loopback address)");
        }
        if (!isLoopback(host)) {
            throw new IllegalArgumentException("host: '" + host + "' (expected: a loopback address such as 127.0.0.1; "
                    + "the embedded server has no password)");
        }
        if (port <= 0 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
        }
        if (dir == null || dir.isBlank() || dir.chars().anyMatch(c -> c < 0x20 || c == '"' || c == '\\')) {
            throw new IllegalArgumentException("dir: '" + dir + "' (expected: a folder, without quotes or control characters)");
        }
        if (!"none".equals(persistence) && !"rdb".equals(persistence) && !"aof".equals(persistence)) {
            throw new IllegalArgumentException("persistence: '" + persistence + "' (expected: none, rdb or aof)");
        }
        requirePositive(startTimeout, "start_timeout");
        requirePositive(stopTimeout, "stop_timeout");
    }

    /** {@code redis://host:port}. */
    public String uri() {
        return "redis://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** A copy whose server lives in {@code dir} and listens on {@code port}. */
    public RedisConfig withServer(Path dir, int port) {
        return new RedisConfig(host, port, dir.toString(), persistence, startTimeout, stopTimeout);
    }

    /** A copy with other persistence. */
    public RedisConfig withPersistence(String persistence) {
        return new RedisConfig(host, port, dir, persistence, startTimeout, stopTimeout);
    }

    private static boolean isLoopback(String host) {
        if (!host.matches("[0-9.]+|[0-9A-Fa-f:]+|localhost")) {
            return false;
        }
        try {
            return InetAddress.getByName(host).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static void requirePositive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }
}
