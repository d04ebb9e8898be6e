package dev.strata.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A connection's timeouts on the event loop's clock, moved by hand. */
class ConnectionTimersTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final List<Integer> fired = new ArrayList<>();

    ConnectionTimersTest() {
        channel.freezeTime();
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private void advance(long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void eachArmedTimeoutFiresAtItsDeadlineAndNotBefore() {
        ConnectionTimers t = new ConnectionTimers(channel.eventLoop(), fired::add);
        t.arm(ConnectionTimers.TOTAL, 120);
        t.arm(ConnectionTimers.HEADER_READ, 10);
        t.arm(ConnectionTimers.FIRST_BYTE, 30);
        advance(9);
        assertThat(fired).isEmpty();
        advance(1);
        assertThat(fired).containsExactly(ConnectionTimers.HEADER_READ);
        assertThat(t.armed(ConnectionTimers.HEADER_READ)).isFalse();
        advance(19);
        assertThat(fired).containsExactly(ConnectionTimers.HEADER_READ);
        advance(1);
        assertThat(fired).containsExactly(ConnectionTimers.HEADER_READ, ConnectionTimers.FIRST_BYTE);
        advance(90);
        assertThat(fired).containsExactly(ConnectionTimers.HEADER_READ, ConnectionTimers.FIRST_BYTE,
                ConnectionTimers.TOTAL);
    }

    @Test
    void timeoutsDueTogetherFireEarliestFirst() {
        ConnectionTimers t = new ConnectionTimers(channel.eventLoop(), fired::add);
        t.arm(ConnectionTimers.IDLE, 50);
        t.arm(ConnectionTimers.BODY_READ, 20);
        t.arm(ConnectionTimers.TOTAL, 40);
        advance(100);
        assertThat(fired).containsExactly(ConnectionTimers.BODY_READ, ConnectionTimers.TOTAL, ConnectionTimers.IDLE);
    }

    @Test
    void aDisarmedTimeoutNeverFiresAndAReArmedOneFiresAtItsNewDeadline() {
        ConnectionTimers t = new ConnectionTimers(channel.eventLoop(), fired::add);
        t.arm(ConnectionTimers.HEADER_READ, 10);
        t.arm(ConnectionTimers.IDLE, 60);
        t.disarm(ConnectionTimers.HEADER_READ);
        advance(5);
        t.arm(ConnectionTimers.IDLE, 60); // a request came and went: the idle deadline moves on
        advance(59);
        assertThat(fired).isEmpty();
        advance(1);
        assertThat(fired).containsExactly(ConnectionTimers.IDLE);
    }

    @Test
    void aTimeoutArmedEarlierThanTheScheduledOneIsNotLate() {
        ConnectionTimers t = new ConnectionTimers(channel.eventLoop(), fired::add);
        t.arm(ConnectionTimers.IDLE, 60);
        advance(20);
        t.arm(ConnectionTimers.HEADER_READ, 10); // due before the idle deadline the task waits for
        advance(10);
        assertThat(fired).containsExactly(ConnectionTimers.HEADER_READ);
    }

    @Test
    void whatATimeoutDoesCanArmAnotherAndStopEndsEverything() {
        List<ConnectionTimers> self = new ArrayList<>();
        ConnectionTimers t = new ConnectionTimers(channel.eventLoop(), which -> {
            fired.add(which);
            if (which == ConnectionTimers.FIRST_BYTE) {
                self.get(0).arm(ConnectionTimers.BODY_READ, 5); // sooner than the total still armed
            }
        });
        self.add(t);
        t.arm(ConnectionTimers.FIRST_BYTE, 10);
        t.arm(ConnectionTimers.TOTAL, 100);
        advance(10);
        advance(5);
        assertThat(fired).containsExactly(ConnectionTimers.FIRST_BYTE, ConnectionTimers.BODY_READ);
        t.stop();
        t.arm(ConnectionTimers.IDLE, 1);
        advance(200);
        assertThat(fired).containsExactly(ConnectionTimers.FIRST_BYTE, ConnectionTimers.BODY_READ);
    }
}
