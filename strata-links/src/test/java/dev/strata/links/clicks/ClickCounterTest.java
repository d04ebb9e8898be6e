package dev.strata.links.clicks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ClickCounterTest {

    /** A sink that can be made to fail, recording what it committed. */
    static final class Totals implements ClickCounter.Sink {
        final Map<String, Long> committed = new HashMap<>();
        final AtomicBoolean failing = new AtomicBoolean();

        @Override
        public synchronized void addClicks(Map<String, Long> clicksByCode) throws SQLException {
            if (failing.get()) {
                throw new SQLException("database down");
            }
            clicksByCode.forEach((code, n) -> committed.merge(code, n, Long::sum));
        }

        synchronized long of(String code) {
            return committed.getOrDefault(code, 0L);
        }
    }

    @Test
    void aFailedFlushKeepsTheCountsForTheNextOne() throws Exception {
        Totals sink = new Totals();
        try (ClickCounter counter = new ClickCounter(sink, Duration.ofHours(1))) {
            counter.record("abc");
            counter.record("abc");
            sink.failing.set(true);
            assertThatThrownBy(counter::flush).isInstanceOf(SQLException.class);
            assertThat(counter.pending("abc")).isEqualTo(2);
            counter.record("abc");
            sink.failing.set(false);
            counter.flush();
            assertThat(sink.of("abc")).isEqualTo(3);
            assertThat(counter.pending("abc")).isZero();
        }
    }

    @Test
    void closeWritesWhatIsLeft() {
        Totals sink = new Totals();
        ClickCounter counter = new ClickCounter(sink, Duration.ofHours(1));
        counter.record("a");
        counter.record("b");
        counter.record("b");
        counter.close();
        assertThat(sink.of("a")).isEqualTo(1);
        assertThat(sink.of("b")).isEqualTo(2);
    }

    @Test
    void forgottenCodesAreNotWritten() throws Exception {
        Totals sink = new Totals();
        try (ClickCounter counter = new ClickCounter(sink, Duration.ofHours(1))) {
            counter.record("gone");
            counter.forget("gone");
            counter.flush();
            assertThat(sink.of("gone")).isZero();
        }
    }

    /** Recorders race with flushes that also retire idle counters; not one click may go missing. */
    @Test
    void concurrentRecordingAndFlushingLoseNothing() throws Exception {
        Totals sink = new Totals();
        int threads = 8;
        int perThread = 20_000;
        String[] codes = {"a", "b", "c", "d", "e", "f", "g", "h", "i", "j"};
        try (ClickCounter counter = new ClickCounter(sink, Duration.ofMillis(1))) {
            CountDownLatch go = new CountDownLatch(1);
            try (ExecutorService pool = Executors.newFixedThreadPool(threads)) {
                for (int t = 0; t < threads; t++) {
                    int offset = t;
                    pool.submit(() -> {
                        go.await();
                        for (int i = 0; i < perThread; i++) {
                            counter.record(codes[(i / 97 + offset) % codes.length]);
                        }
                        return null;
                    });
                }
                go.countDown();
            }
            counter.flush();
        }
        long total = 0;
        for (String code : codes) {
            total += sink.of(code);
        }
        assertThat(total).isEqualTo((long) threads * perThread);
    }
}
