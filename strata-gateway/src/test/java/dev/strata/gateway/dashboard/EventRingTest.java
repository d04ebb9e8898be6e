package dev.strata.gateway.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The events ring keeps its last events, newest first, in a fixed number of slots, from many threads. */
class EventRingTest {

    @Test
    void keepsTheLatestNewestFirstAndForgetsTheOldest() {
        EventRing ring = new EventRing(3);
        assertThat(ring.latest(10)).isEmpty();
        for (int i = 1; i <= 5; i++) {
            ring.record("ejected", "links-" + i, "detail " + i);
        }
        assertThat(ring.recorded()).isEqualTo(5);
        assertThat(ring.latest(10)).extracting(EventRing.Event::subject).containsExactly("links-5", "links-4", "links-3");
        assertThat(ring.latest(2)).extracting(EventRing.Event::sequence).containsExactly(5L, 4L);
    }

    @Test
    void manyWritersLoseNoEventAndNeverGrowTheRing() throws Exception {
        EventRing ring = new EventRing(64);
        List<Thread> writers = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
            String subject = "w" + t;
            writers.add(Thread.ofPlatform().start(() -> {
                for (int i = 0; i < 10_000; i++) {
                    ring.record("reload", subject, "d");
                }
            }));
        }
        for (Thread w : writers) {
            w.join();
        }
        assertThat(ring.recorded()).isEqualTo(40_000);
        List<EventRing.Event> latest = ring.latest(1000);
        assertThat(latest).hasSize(64);
        assertThat(latest.get(0).sequence()).isEqualTo(40_000);
        assertThat(latest.get(63).sequence()).isEqualTo(40_000 - 63);
    }

    @Test
    void aRingHasRoomForOneAtLeast() {
        assertThatThrownBy(() -> new EventRing(0)).hasMessage("capacity: 0 (expected: > 0)");
    }
}
