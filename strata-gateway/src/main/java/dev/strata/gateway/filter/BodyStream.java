package dev.strata.gateway.filter;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A local response's body that is produced piece by piece (a stored response, say), pulled by the
 * writer only while the client can take more: backpressure without a thread. A body that is still
 * arriving from elsewhere (a response another request is fetching) says when it has nothing yet
 * ({@link #ready}) and wakes the writer when it has ({@link #onReady}).
 */
public interface BodyStream extends AutoCloseable {

    /** The body's length in bytes, or -1 when unknown (the body is then sent chunked, or to a close). */
    long length();

    /**
     * The next piece (the caller releases it), or {@code null} at the end. Called only when {@link #ready}.
     *
     * @throws java.io.UncheckedIOException when the body cannot be completed (its source failed): the
     *                                      writer then closes the client's connection, the only honest
     *                                      signal once part of a body is out
     */
    ByteBuf next(ByteBufAllocator alloc);

    /**
     * Whether {@link #next} has a piece, the end or a failure to give now. When not, the writer stops
     * pulling until the stream calls the {@code wake} handed to {@link #onReady}. Always true by default.
     */
    default boolean ready() {
        return true;
    }

    /**
     * Called once by the writer before it first pulls: the stream calls {@code wake} (from any thread,
     * as often as it likes) when it has become {@link #ready} after saying it was not.
     */
    default void onReady(Runnable wake) {}

    /** Called once the body is written or abandoned. */
    @Override
    void close();
}
