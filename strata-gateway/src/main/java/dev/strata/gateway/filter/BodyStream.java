package dev.strata.gateway.filter;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A local response's body that is produced piece by piece (a stored response, say), pulled by the
 * writer only while the client can take more: backpressure without a thread.
 */
public interface BodyStream extends AutoCloseable {

    /** The body's length in bytes, or -1 when unknown (the body is then sent chunked, or to a close). */
    long length();

    /** The next piece (the caller releases it), or {@code null} at the end. */
    ByteBuf next(ByteBufAllocator alloc);

    /** Called once the body is written or abandoned. */
    @Override
    void close();
}
