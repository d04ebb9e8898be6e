package dev.strata.gateway.cache;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The store's memory: bounded by its budget whatever the number of keys, and bodies given back to the pool. */
class StoreMemoryTest {

    private static StoredResponse response(String key, int bodyBytes) {
        ByteBuf body = PooledByteBufAllocator.DEFAULT.directBuffer(bodyBytes, bodyBytes);
        body.writeZero(bodyBytes);
        long now = System.currentTimeMillis();
        return new StoredResponse(key, 200, List.of("Cache-Control", "max-age=60", "Content-Type", "text/plain"),
                List.of(), List.of(), body, now, now, 0, 60, CacheControl.parse(List.of("max-age=60")), List.of());
    }

    @Test
    @DisplayName("storage: a million distinct keys keep the store within its byte budget, bodies in pooled direct memory")
    void millionKeysStayBounded() {
        long budget = 8L << 20;
        Store store = new Store(budget);
        long directBefore = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
        long heapBefore = usedHeapAfterGc();
        List<StoredResponse> sample = new ArrayList<>();
        for (int i = 0; i < 1_000_000; i++) {
            StoredResponse r = response("http://flood.test/item/" + i, 256);
            if (i % 100_000 == 0) {
                sample.add(r);
            }
            store.put(r);
        }
        store.cleanUp();
        assertThat(store.bytes()).isLessThanOrEqualTo(budget);
        assertThat(store.keysStored()).isLessThan(budget / 256);
        long direct = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory() - directBefore;
        assertThat(direct).as("pooled direct memory held by bodies").isLessThan(budget + (32L << 20));
        long heap = usedHeapAfterGc() - heapBefore;
        assertThat(heap).as("heap held by the store").isLessThan(64L << 20);
        store.clear();
        assertThat(store.bytes()).isZero();
        assertThat(sample.get(0).acquire()).as("an evicted response is let go").isFalse();
    }

    @Test
    @DisplayName("storage: a response evicted while a hit streams it stays readable until the hit ends")
    void evictedWhileServed() {
        Store store = new Store(64 * 1024);
        StoredResponse r = response("http://evict.test/a", 1000);
        store.put(r);
        Store.Found found = store.lookup("http://evict.test/a", new FakeView());
        assertThat(found.response()).isSameAs(r);
        StoredBody body = new StoredBody(r, 0, r.length);
        store.clear();
        ByteBuf piece = body.next(UnpooledByteBufAllocator.DEFAULT);
        assertThat(piece.readableBytes()).isEqualTo(1000);
        piece.release();
        assertThat(body.next(UnpooledByteBufAllocator.DEFAULT)).isNull();
        body.close();
        assertThat(r.body.refCnt()).isZero();
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return rt.totalMemory() - rt.freeMemory();
    }

    /** A request with no fields. */
    private static final class FakeView implements dev.strata.gateway.filter.RequestView {
        public String method() { return "GET"; }
        public String target() { return "/a"; }
        public String path() { return "/a"; }
        public String query() { return null; }
        public String host() { return "evict.test"; }
        public java.net.InetAddress clientAddress() { return null; }
        public String header(String name) { return null; }
        public List<String> headers(String name) { return List.of(); }
    }
}
