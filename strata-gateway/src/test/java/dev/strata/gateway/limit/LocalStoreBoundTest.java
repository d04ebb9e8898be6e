package dev.strata.gateway.limit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** What happens at the local store's bound: memory stays at max_keys, and a forgotten key starts over. */
class LocalStoreBoundTest {

    @Test
    void aMillionDistinctKeysKeepTheStoreAtItsBound() {
        AtomicLong clock = new AtomicLong();
        LocalStore store = new LocalStore(10_000, clock::get);
        Limit limit = Limit.of("flood", 1, 60, 1);
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 1_000_000; i++) {
            assertThat(store.now("10." + (i >> 16) + "." + ((i >> 8) & 255) + "." + (i & 255), limit).allowed()).isTrue();
            if (i % 100_000 == 0) {
                store.cleanUp();
                assertThat(store.size()).isLessThanOrEqualTo(10_000);
            }
        }
        store.cleanUp();
        assertThat(store.size()).isLessThanOrEqualTo(10_000);
        System.gc();
        long used = rt.totalMemory() - rt.freeMemory();
        assertThat(used).as("heap after a million keys").isLessThan(512L * 1024 * 1024);
    }

    @Test
    void keysExpireOnceTheirWindowHasPassedSoIdleClientsCostNothing() {
        AtomicLong clock = new AtomicLong();
        LocalStore store = new LocalStore(1000, clock::get);
        Limit limit = Limit.of("r", 10, 1, 10); // window 1 s
        for (int i = 0; i < 500; i++) {
            store.now("k" + i, limit);
        }
        store.cleanUp();
        assertThat(store.size()).isEqualTo(500);
        clock.addAndGet(3_000_000_000L); // Caffeine's timer wheel removes expired entries to about a second
        store.cleanUp();
        assertThat(store.size()).isZero();
    }

    @Test
    void aKeyEvictedAtTheBoundIsForgottenAndStartsWithAWholeBurst() {
        AtomicLong clock = new AtomicLong();
        LocalStore store = new LocalStore(1, clock::get);
        Limit limit = Limit.of("r", 1, 60, 1);
        assertThat(store.now("a", limit).allowed()).isTrue();
        assertThat(store.now("a", limit).allowed()).isFalse();
        for (int i = 0; i < 100; i++) {
            store.now("other" + i, limit);
        }
        store.cleanUp();
        assertThat(store.size()).isLessThanOrEqualTo(1);
        // "a" may have been kept (seen more often) or forgotten; forgotten, it starts over: never worse than fresh
        boolean forgotten = store.now("a", limit).allowed();
        store.cleanUp();
        assertThat(store.size()).isLessThanOrEqualTo(1);
        if (forgotten) {
            assertThat(store.now("a", limit).allowed()).isFalse();
        }
    }
}
