package dev.strata.gateway.proxy;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A re-armable timeout that costs no scheduler work on the request path.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Why.</b> A keep-alive connection arms and disarms its timeouts (idle, header read, total,
 *   first byte) once per request. Scheduling and cancelling a Netty task each time costs an allocation
 *   and two priority-queue operations per timer per request; that was a visible share of the proxy's
 *   per-request CPU.</li>
 *   <li><b>How.</b> Arming only records a deadline. At most one scheduled task exists; it is created on
 *   the first arm and replaced only when a new deadline is earlier than the task's. When the task fires
 *   it checks the live deadline: disarmed, nothing happens; not reached yet (the timer was re-armed
 *   later since), it schedules itself for the rest; reached, the action runs. Disarming leaves the task
 *   pending; {@link #stop()} cancels it when the owner goes away.</li>
 *   <li><b>Precision.</b> The action runs at the deadline or, if the deadline moved earlier, at the new
 *   deadline: never early, and late only by the executor's tick.</li>
 * </ul>
 * Threading: confined to {@code executor}'s thread, like the channel that owns it.
 */
final class LazyTimer implements Runnable {

    private final EventExecutor executor;
    private final Runnable action;

    // confined to the executor
    private boolean armed;
    private long deadline;
    private ScheduledFuture<?> task;
    private long taskDeadline;

    LazyTimer(EventExecutor executor, Runnable action) {
        this.executor = executor;
        this.action = action;
    }

    /** Runs the action {@code delayMillis} from now unless disarmed or re-armed before. */
    void arm(long delayMillis) {
        long d = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(delayMillis);
        armed = true;
        deadline = d;
        if (task == null) {
            schedule(d);
        } else if (d - taskDeadline < 0) {
            task.cancel(false);
            schedule(d);
        }
    }

    /** Whether the timer is armed and has not fired. */
    boolean armed() {
        return armed;
    }

    /** The action will not run (until armed again). */
    void disarm() {
        armed = false;
    }

    /** Disarms and cancels the pending task (the owner is going away). */
    void stop() {
        armed = false;
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private void schedule(long at) {
        taskDeadline = at;
        task = executor.schedule(this, Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    @Override
    public void run() {
        task = null;
        if (!armed) {
            return;
        }
        if (deadline - System.nanoTime() > 0) {
            schedule(deadline);
            return;
        }
        armed = false;
        action.run();
    }
}
