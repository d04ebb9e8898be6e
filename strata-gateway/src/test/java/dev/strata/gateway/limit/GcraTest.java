package dev.strata.gateway.limit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** GCRA on the local store with a clock the test moves: the boundary to the nanosecond, bursts, the field values. */
class GcraTest {

    private static final long MS = 1_000_000L;
    private static final long S = 1_000_000_000L;

    private final AtomicLong clock = new AtomicLong(123_456_789L);
    private final LocalStore store = new LocalStore(1000, clock::get);

    @Test
    void aFreshKeyPassesItsBurstAtOnceThenOneEveryEmissionIntervalToTheNanosecond() {
        Limit limit = Limit.of("r", 10, 1, 3); // T = 100 ms, burst 3
        assertThat(limit.emissionNanos()).isEqualTo(100 * MS);
        assertThat(limit.toleranceNanos()).isEqualTo(200 * MS);
        assertThat(store.now("k", limit)).extracting(Decision::allowed, Decision::remaining).containsExactly(true, 2L);
        assertThat(store.now("k", limit)).extracting(Decision::allowed, Decision::remaining).containsExactly(true, 1L);
        assertThat(store.now("k", limit)).extracting(Decision::allowed, Decision::remaining).containsExactly(true, 0L);
        Decision refused = store.now("k", limit);
        assertThat(refused.allowed()).isFalse();
        assertThat(refused.retryNanos()).isEqualTo(100 * MS);

        clock.addAndGet(100 * MS - 1);
        assertThat(store.now("k", limit).allowed()).as("one nanosecond early").isFalse();
        clock.addAndGet(1);
        assertThat(store.now("k", limit).allowed()).as("exactly on time").isTrue();
        assertThat(store.now("k", limit).allowed()).isFalse();
    }

    @Test
    void aSteadyClientAtTheRateIsNeverRefusedAndOneFasterIsRefusedTheExcessExactly() {
        Limit limit = Limit.of("r", 5, 1, 1); // one every 200 ms, no burst
        int passed = 0;
        for (int i = 0; i < 50; i++) {
            assertThat(store.now("steady", limit).allowed()).isTrue();
            clock.addAndGet(200 * MS);
        }
        for (int i = 0; i < 100; i++) { // every 100 ms for 10 s: half pass
            if (store.now("fast", limit).allowed()) {
                passed++;
            }
            clock.addAndGet(100 * MS);
        }
        assertThat(passed).isEqualTo(50);
    }

    @Test
    void idleTimeRefillsTheBurstButNeverBeyondIt() {
        Limit limit = Limit.of("r", 60, 60, 5); // one a second, burst 5
        for (int i = 0; i < 5; i++) {
            assertThat(store.now("k", limit).allowed()).isTrue();
        }
        assertThat(store.now("k", limit).allowed()).isFalse();
        clock.addAndGet(3600 * S);
        Decision first = store.now("k", limit);
        assertThat(first.remaining()).as("a whole burst again, not more").isEqualTo(4);
        assertThat(first.resetNanos()).as("until the quota is whole again: one interval").isEqualTo(S);
    }

    @Test
    void theFieldValuesSayThePolicyWhatIsLeftAndWhenItIsWholeAgain() {
        Limit limit = Limit.of("create", 100, 60, 100); // T = 600 ms
        Decision d = store.now("k", limit);
        assertThat(HeaderFields.policy(limit)).isEqualTo("\"create\";q=100;w=60");
        assertThat(HeaderFields.state(limit, d)).isEqualTo("\"create\";r=99;t=1");
        for (int i = 0; i < 41; i++) {
            d = store.now("k", limit);
        }
        assertThat(d.remaining()).isEqualTo(58);
        assertThat(d.resetNanos()).isEqualTo(42 * 600 * MS);
        assertThat(HeaderFields.state(limit, d)).isEqualTo("\"create\";r=58;t=26"); // 25.2 s rounded up
    }

    @Test
    void retryAfterIsExactWaitingThatLongPassesAndAMillisecondLessDoesNot() {
        Limit limit = Limit.of("r", 1, 2, 1); // one every 2 s
        assertThat(store.now("k", limit).allowed()).isTrue();
        clock.addAndGet(300 * MS);
        Decision refused = store.now("k", limit);
        long retryAfter = HeaderFields.seconds(refused.retryNanos());
        assertThat(retryAfter).isEqualTo(2); // 1.7 s, rounded up
        clock.addAndGet(retryAfter * 1000 * MS - 300 * MS - MS);
        assertThat(store.now("k", limit).allowed()).as("1 ms before the true time").isFalse();
        clock.addAndGet(MS);
        assertThat(store.now("k", limit).allowed()).isTrue();
    }

    @Test
    void anIntervalThatIsNotAWholeNanosecondRoundsDownSoTheRateIsNeverBelowTheConfiguredOne() {
        Limit limit = Limit.of("r", 3, 1, 1);
        assertThat(limit.emissionNanos()).isEqualTo(333_333_333L);
        int passed = 0;
        for (long t = 0; t < 3 * S; t += MS) {
            if (store.now("k", limit).allowed()) {
                passed++;
            }
            clock.addAndGet(MS);
        }
        assertThat(passed).isEqualTo(9);
    }

    @Test
    void limitsThatCannotBeExactAreRefused() {
        assertThatThrownBy(() -> Limit.of("r", 0, 1, 1)).hasMessageContaining("rate: 0");
        assertThatThrownBy(() -> Limit.of("r", 1, 0, 1)).hasMessageContaining("period");
        assertThatThrownBy(() -> Limit.of("r", 1, 86_400, 1_000_000)).hasMessageContaining("burst");
        assertThatThrownBy(() -> Limit.of("r", 2_000_000_000L, 1, 1)).hasMessageContaining("nanosecond");
    }

    @Test
    void aRuleHostWithAPortMatchesOnlyThatPortAndWithoutOneAnyPort() {
        assertThat(Rule.hasPort("127.0.0.1:18082")).isTrue();
        assertThat(Rule.hasPort("[::1]:8080")).isTrue();
        assertThat(Rule.hasPort("example.com")).isFalse();
        assertThat(Rule.hasPort("[::1]")).isFalse();
        assertThat(Rule.hostName("Example.COM:8080")).isEqualTo("example.com");
        assertThat(Rule.hostName("[::1]:8080")).isEqualTo("[::1]");
    }
}
