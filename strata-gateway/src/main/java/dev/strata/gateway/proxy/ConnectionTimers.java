package dev.strata.gateway.proxy;

import io.netty.util.concurrent.AbstractScheduledEventExecutor;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.netty.util.concurrent.Ticker;
import java.util.concurrent.TimeUnit;

/**
 * The timeouts of one client connection, on at most one scheduled task.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Why.</b> A keep-alive connection arms and disarms its timeouts (idle, header read, total,
 *   first byte, body read, a filter's suspension) once per request. Scheduling and cancelling a Netty task for each costs an
 *   allocation and two priority-queue operations per timeout per request. One re-armable task per
 *   timeout avoids that, but leaves a task pending for every timeout once armed (until its deadline
 *   passes): four per idle connection, 40,000 in the event loop's queue for 10,000 idle connections.</li>
 *   <li><b>How.</b> Arming only records a deadline. The one task is due at the earliest deadline armed
 *   when it was scheduled, and is replaced only when a timeout is armed for earlier than that. When it
 *   runs it fires each armed timeout whose deadline has passed, earliest first, and is scheduled again
 *   for the earliest deadline still armed. Disarming leaves the task alone. The header-read timeout is
 *   the shortest and is re-armed for later by every request, so under load a connection's task is
 *   replaced about once per header-read period, and an idle connection has one task, for its idle
 *   deadline.</li>
 *   <li><b>Precision.</b> A timeout fires at its deadline or later by the executor's tick: never early,
 *   and never while disarmed.</li>
 *   <li><b>Time</b> is the executor's own ({@link Ticker}), so that tests can move it.</li>
 * </ul>
 * Threading: confined to {@code executor}'s thread, like the channel that owns it.
 */
final class ConnectionTimers implements Runnable {

    static final int IDLE = 0;
    static final int HEADER_READ = 1;
    static final int TOTAL = 2;
    static final int FIRST_BYTE = 3;
    static final int BODY_READ = 4;
    static final int SUSPEND = 5;    // a filter's asynchronous decision
    private static final int COUNT = 6;

    /** What a timeout does when it fires: {@code which} is one of the constants above. */
    interface Action {
        void timedOut(int which);
    }

    private final EventExecutor executor;
    private final Ticker ticker;
    private final Action action;

    // confined to the executor
    private final long[] deadlines = new long[COUNT];
    private int armed;       // bit i set: timeout i is armed
    private boolean stopped;
    private ScheduledFuture<?> task;
    private long taskDeadline;

    ConnectionTimers(EventExecutor executor, Action action) {
        this.executor = executor;
        this.ticker = executor instanceof AbstractScheduledEventExecutor s ? s.ticker() : Ticker.systemTicker();
        this.action = action;
    }

    /** Fires {@code which} {@code delayMillis} from now unless it is disarmed or re-armed before. */
    void arm(int which, long delayMillis) {
        if (stopped) {
            return;
        }
        long d = ticker.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis);
        deadlines[which] = d;
        armed |= 1 << which;
        dueBy(d);
    }

    /** Whether {@code which} is armed and has not fired. */
    boolean armed(int which) {
        return (armed & (1 << which)) != 0;
    }

    /** {@code which} will not fire (until armed again). */
    void disarm(int which) {
        armed &= ~(1 << which);
    }

    /** Disarms everything for good and cancels the task (the connection is gone). */
    void stop() {
        stopped = true;
        armed = 0;
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    @Override
    public void run() {
        task = null;
        while (armed != 0 && !stopped) {
            int next = -1;
            long d = 0;
            for (int i = 0; i < COUNT; i++) {
                if (armed(i) && (next < 0 || deadlines[i] - d < 0)) {
                    next = i;
                    d = deadlines[i];
                }
            }
            if (d - ticker.nanoTime() > 0) {
                dueBy(d);
                return;
            }
            disarm(next);
            action.timedOut(next); // may arm, disarm or stop any of them
        }
    }

    /** Makes sure the task runs no later than {@code deadline}. */
    private void dueBy(long deadline) {
        if (task != null) {
            if (deadline - taskDeadline >= 0) {
                return;
            }
            task.cancel(false);
        }
        taskDeadline = deadline;
        task = executor.schedule(this, Math.max(0, deadline - ticker.nanoTime()), TimeUnit.NANOSECONDS);
    }
}
