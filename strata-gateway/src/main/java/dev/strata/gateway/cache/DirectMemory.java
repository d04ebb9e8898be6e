package dev.strata.gateway.cache;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.internal.PlatformDependent;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The direct memory the stored bodies live in.
 *
 * <h2>Design notes</h2>
 * Bodies are copied into Netty's pooled direct buffers, and Netty refuses to go past the JVM's direct
 * memory limit ({@code -XX:MaxDirectMemorySize}, which is the heap's {@code -Xmx} unless set: 512 MiB
 * with the gateway's default options). A {@code store_size} above that limit would let a store grow
 * until the allocator throws, in the middle of a response a client is receiving. So a store keeps to
 * what the limit leaves after a reserve for the proxy's own buffers ({@link #storeBudget}); and since
 * several routes' stores share one limit, a copy that still cannot get memory gives up storing
 * ({@link #copy} says null) while the response streams on.
 */
final class DirectMemory {

    private static final Logger log = LoggerFactory.getLogger(DirectMemory.class);
    /** The least direct memory kept for everything but stored bodies (connections, in-flight buffers). */
    static final long RESERVE = 64L << 20;
    private static final AtomicLong lastWarning = new AtomicLong();

    private DirectMemory() {}

    /** The JVM's direct memory limit as Netty counts it, in bytes. */
    static long limit() {
        return PlatformDependent.maxDirectMemory();
    }

    /** The bytes a store may keep: {@code configured}, but no more than {@code limit} less a quarter (at least {@link #RESERVE}). */
    static long storeBudget(long configured, long limit) {
        long room = limit - Math.max(RESERVE, limit / 4);
        return Math.max(0, Math.min(configured, room));
    }

    /** {@code n} bytes of {@code from} (from its reader index) in a new pooled direct buffer, or null when none is to be had. */
    static ByteBuf copy(ByteBuf from, int n) {
        ByteBuf copy;
        try {
            copy = PooledByteBufAllocator.DEFAULT.directBuffer(n, n);
        } catch (OutOfMemoryError e) {
            long now = System.nanoTime();
            long last = lastWarning.get();
            if ((last == 0 || now - last > 60_000_000_000L) && lastWarning.compareAndSet(last, now)) {
                log.warn("cache: no direct memory for a body of {} bytes ({}); it is passed on without being stored."
                        + " The stores together need less than -XX:MaxDirectMemorySize", n, e.getMessage());
            }
            return null;
        }
        copy.writeBytes(from, from.readerIndex(), n);
        return copy;
    }
}
