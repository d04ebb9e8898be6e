package dev.strata.gateway.shed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.filter.ExchangeOutcome;
import dev.strata.gateway.filter.Suspension;
import dev.strata.gateway.filter.Verdict;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A group's limit on its own, fed samples by hand: how each algorithm moves the limit, which outcomes
 * count as what, and that the queue hands every slot back exactly once.
 */
class GroupLimiterTest {

    record Outcome(int status, boolean complete, boolean local, String endpoint) implements ExchangeOutcome {
        @Override
        public long bytesSent() {
            return 0;
        }

        @Override
        public long durationNanos() {
            return 0;
        }
    }

    static final Outcome OK = new Outcome(200, true, false, "127.0.0.1:1");

    /** A suspension that records how it was resumed. */
    static final class Recorded implements Suspension {
        final List<Verdict> resumed = new ArrayList<>();

        @Override
        public boolean resume(Verdict verdict) {
            if (!resumed.isEmpty()) {
                return false;
            }
            resumed.add(verdict);
            return true;
        }
    }

    private static ShedSettings settings(String algorithm, int initial, int min, int max, int queue) {
        return new ShedSettings(algorithm, initial, min, max, queue, Duration.ofSeconds(1), null, null, 0.5,
                Duration.ofMillis(100)).validated();
    }

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private static long ms(long m) {
        return TimeUnit.MILLISECONDS.toNanos(m);
    }

    @Test
    void gradientLowersTheLimitWhenLatencyRisesAboveWhatTheGroupUsuallyTakes() {
        GroupLimiter l = new GroupLimiter("app", settings("gradient", 50, 2, 100, 0), meters, new ShedResource());
        for (int i = 0; i < 200; i++) {
            l.release(0, ms(10), 50, GroupLimiter.Sample.SUCCESS);
        }
        int steady = l.limit();
        for (int i = 0; i < 20; i++) {
            l.release(0, ms(200), 50, GroupLimiter.Sample.SUCCESS);
        }
        assertThat(l.limit()).isLessThan(steady);
        assertThat(l.limit()).isGreaterThanOrEqualTo(2);
    }

    @Test
    void aimdCutsOnADropOrALatencyAboveMaxLatencyAndGrowsByOneOtherwise() {
        GroupLimiter l = new GroupLimiter("app", settings("aimd", 8, 1, 10, 0), meters, new ShedResource());
        l.release(0, ms(1), 8, GroupLimiter.Sample.DROP);
        assertThat(l.limit()).isEqualTo(4);
        l.release(0, ms(500), 8, GroupLimiter.Sample.SUCCESS);
        assertThat(l.limit()).as("slower than max_latency").isEqualTo(2);
        l.release(0, ms(1), 2, GroupLimiter.Sample.SUCCESS);
        assertThat(l.limit()).isEqualTo(3);
        l.release(0, ms(1), 2, GroupLimiter.Sample.IGNORE);
        assertThat(l.limit()).isEqualTo(3);
        assertThat(l.samples()).isEqualTo(3);
    }

    @Test
    void outcomesMapToSamples() {
        GroupLimiter l = new GroupLimiter("app", settings("aimd", 8, 1, 10, 0), meters, new ShedResource());
        Permit.held(l, l.tryAcquire()).onComplete(new Outcome(503, true, true, null));
        assertThat(l.limit()).as("reached no endpoint: ignored").isEqualTo(8);
        Permit.held(l, l.tryAcquire()).onComplete(new Outcome(499, false, false, "127.0.0.1:1"));
        assertThat(l.limit()).as("the client went away: ignored").isEqualTo(8);
        Permit.held(l, l.tryAcquire()).onComplete(new Outcome(504, true, true, "127.0.0.1:1"));
        assertThat(l.limit()).as("the gateway's 504 about the endpoint: a drop").isEqualTo(4);
        Permit.held(l, l.tryAcquire()).onComplete(new Outcome(500, true, false, "127.0.0.1:1"));
        assertThat(l.limit()).as("a 5xx from the node: a drop").isEqualTo(2);
        assertThat(l.inFlight()).isZero();
    }

    @Test
    void theQueueGrantsFreedSlotsInOrderAndEverySlotIsGivenBackOnce() {
        GroupLimiter l = new GroupLimiter("app", settings("aimd", 1, 1, 1, 2), meters, new ShedResource());
        Permit first = Permit.held(l, l.tryAcquire());
        assertThat(l.tryAcquire()).as("at the limit").isZero();

        Recorded s1 = new Recorded();
        Permit w1 = Permit.waiting(l);
        w1.waitOn(s1);
        Recorded s2 = new Recorded();
        Permit w2 = Permit.waiting(l);
        w2.waitOn(s2);
        assertThat(l.enqueue(w1)).isTrue();
        assertThat(l.enqueue(w2)).isTrue();
        assertThat(l.enqueue(Permit.waiting(l))).as("the queue is full").isFalse();
        assertThat(l.waiting()).isEqualTo(2);

        first.onComplete(OK);
        assertThat(s1.resumed).containsExactly(Verdict.CONTINUE);
        assertThat(s2.resumed).isEmpty();
        assertThat(l.inFlight()).isEqualTo(1);
        assertThat(l.waiting()).isEqualTo(1);

        w2.onComplete(new Outcome(503, true, true, null)); // timed out in the queue
        assertThat(l.waiting()).isZero();
        assertThat(l.shed()).isEqualTo(1.0);

        w1.onComplete(OK);
        w1.onComplete(OK);
        assertThat(s2.resumed).as("a dead waiter is never granted").isEmpty();
        assertThat(l.inFlight()).isZero();
        assertThat(l.tryAcquire()).isEqualTo(1);
    }
}
