package dev.strata.gateway.cache;

import dev.strata.gateway.filter.BodyStream;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A stored body served to one client: slices of the stored buffer, pulled while the client takes them,
 * so a hit copies nothing. Holds the response from the lookup to {@link #close}.
 */
final class StoredBody implements BodyStream {

    private static final int PIECE = 64 * 1024;

    private final StoredResponse response;
    private final int end;
    private final int length;
    private int position;
    private boolean closed;

    /** Serves {@code [from, to)} of the body of {@code response}, which the caller holds for it. */
    StoredBody(StoredResponse response, int from, int to) {
        this.response = response;
        this.position = from;
        this.end = to;
        this.length = to - from;
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public ByteBuf next(ByteBufAllocator alloc) {
        if (closed || position >= end) {
            return null;
        }
        int n = Math.min(PIECE, end - position);
        ByteBuf piece = response.body.retainedSlice(response.body.readerIndex() + position, n);
        position += n;
        return piece;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            response.release();
        }
    }
}
