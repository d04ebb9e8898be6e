package dev.strata.redis.testing;

import dev.strata.common.config.ConfigLoader;
import dev.strata.redis.EmbeddedRedis;
import dev.strata.redis.RedisConfig;
import dev.strata.redis.RunningRedis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real redis-server for one test class, on a free port, that a test may kill and start again (on
 * the same port, so clients reconnect to it):
 *
 * <pre>{@code @RegisterExtension static final RedisExtension REDIS = new RedisExtension();}</pre>
 */
public final class RedisExtension implements BeforeAllCallback, AfterAllCallback {

    private static final AtomicInteger SERVERS = new AtomicInteger();

    private volatile RedisConfig config;
    private volatile RunningRedis server;

    @Override
    public void beforeAll(ExtensionContext context) {
        String name = context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT) + "-" + SERVERS.incrementAndGet();
        config = embeddedConfig(Path.of("target", "redis", name).toAbsolutePath());
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        stop();
    }

    /** A redis section for a server in {@code dir} on a free port, without persistence. */
    public static RedisConfig embeddedConfig(Path dir) {
        return ConfigLoader.defaults().section("redis", RedisConfig.class).withServer(dir, freePort());
    }

    /** {@code redis://127.0.0.1:PORT}. */
    public String uri() {
        return config().uri();
    }

    public int port() {
        return config().port();
    }

    public RedisConfig config() {
        if (config == null) {
            throw new IllegalStateException("the extension has not run yet (register it on a static field)");
        }
        return config;
    }

    /** The running server; fails when it was killed or stopped. */
    public RunningRedis server() {
        RunningRedis s = server;
        if (s == null || !s.isAlive()) {
            throw new IllegalStateException("redis-server is not running");
        }
        return s;
    }

    /** Kills the server with SIGKILL, as a crash would, and waits until it is gone. */
    public synchronized void kill() {
        RunningRedis s = server;
        server = null;
        if (s == null) {
            return;
        }
        ProcessHandle.of(s.pid()).ifPresent(h -> {
            h.destroyForcibly();
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("redis-server (pid " + s.pid() + ") did not die", e);
            }
        });
        s.close();
    }

    /** Starts the server (again) on the same port and dir; a running one is left alone. */
    public synchronized void start() {
        if (server == null || !server.isAlive()) {
            server = EmbeddedRedis.start(config());
        }
    }

    /** Stops the server cleanly. */
    public synchronized void stop() {
        RunningRedis s = server;
        server = null;
        if (s != null) {
            s.close();
        }
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
