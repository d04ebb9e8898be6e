package dev.strata.redis;

import java.nio.file.Path;

/** A redis-server started by {@link EmbeddedRedis}; {@link #close()} stops it. */
public interface RunningRedis extends AutoCloseable {

    String host();

    int port();

    /** {@code redis://host:port}, what a client such as Lettuce connects to. */
    String uri();

    /** Process id of the redis-server. */
    long pid();

    /** The folder of its data, configuration and log. */
    Path dataDirectory();

    boolean isAlive();

    /** Stops the server (SIGTERM: it saves what persistence asks for), killing it after the stop timeout. Idempotent. */
    @Override
    void close();
}
