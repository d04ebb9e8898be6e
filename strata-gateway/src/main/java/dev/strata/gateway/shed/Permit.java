package dev.strata.gateway.shed;

import dev.strata.gateway.filter.ExchangeOutcome;
import dev.strata.gateway.filter.ResponseEdits;
import dev.strata.gateway.filter.ResponseObserver;
import dev.strata.gateway.filter.ResponseView;
import dev.strata.gateway.filter.Suspension;
import dev.strata.gateway.filter.Verdict;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * One request's claim on its group's limit: waiting for a slot, holding one, or done. It moves
 * {@code WAITING -> HELD -> DONE} or {@code WAITING -> DONE} (timed out, client gone), each step a
 * compare-and-set, since the grant may come from another event loop than the request's end. A slot
 * taken is given back exactly once, when the request ends.
 */
final class Permit implements ResponseObserver {

    private static final int WAITING = 0;
    private static final int HELD = 1;
    private static final int DONE = 2;
    private static final AtomicIntegerFieldUpdater<Permit> STATE =
            AtomicIntegerFieldUpdater.newUpdater(Permit.class, "state");

    private final GroupLimiter limiter;
    private volatile int state;
    private Suspension suspension; // set before the permit is queued
    // written when the slot is taken, read at the end (ordered by the state's compare-and-set)
    private long startNanos;
    private int inFlightAtStart;
    // confined to the request's event loop
    private long headNanos;
    private int upstreamStatus;

    /** A permit that already holds a slot. */
    static Permit held(GroupLimiter limiter, int inFlight) {
        Permit p = new Permit(limiter);
        p.taken(inFlight);
        p.state = HELD;
        return p;
    }

    /** A permit that waits for a slot; {@link #waitOn} gives it its suspension. */
    static Permit waiting(GroupLimiter limiter) {
        return new Permit(limiter);
    }

    private Permit(GroupLimiter limiter) {
        this.limiter = limiter;
    }

    void waitOn(Suspension suspension) {
        this.suspension = suspension;
    }

    private void taken(int inFlight) {
        startNanos = System.nanoTime();
        inFlightAtStart = inFlight;
    }

    boolean waiting() {
        return state == WAITING;
    }

    /** Hands this waiting permit the slot a drain took; false when it is no longer waiting. */
    boolean grant(int inFlight) {
        if (state != WAITING) {
            return false;
        }
        taken(inFlight);
        return STATE.compareAndSet(this, WAITING, HELD);
    }

    /** This waiting permit was never queued: its end gives nothing back. */
    void cancel() {
        STATE.compareAndSet(this, WAITING, DONE);
    }

    /** The granted request goes on (if its suspension timed out meanwhile, its end gives the slot back). */
    void resume() {
        suspension.resume(Verdict.CONTINUE);
    }

    @Override
    public void onResponseHead(ResponseView response, ResponseEdits edits) {
        if (headNanos == 0 && !response.local()) {
            headNanos = System.nanoTime();
            upstreamStatus = response.status();
        }
    }

    @Override
    public void onComplete(ExchangeOutcome outcome) {
        for (;;) {
            int s = state;
            if (s == DONE) {
                return;
            }
            if (!STATE.compareAndSet(this, s, DONE)) {
                continue; // granted meanwhile: now HELD
            }
            if (s == WAITING) {
                limiter.leftQueue(outcome.status() == 503 && outcome.local());
                return;
            }
            long end = headNanos != 0 ? headNanos : System.nanoTime();
            limiter.release(startNanos, end - startNanos, inFlightAtStart, sample(outcome));
            return;
        }
    }

    /**
     * A request that reached no endpoint says nothing of the group; one that met a 5xx or a timeout from
     * it (the gateway's 502 or 504 included) is a drop; one whose client went away is ignored.
     */
    private GroupLimiter.Sample sample(ExchangeOutcome outcome) {
        if (outcome.endpoint() == null) {
            return GroupLimiter.Sample.IGNORE;
        }
        int status = upstreamStatus != 0 ? upstreamStatus : outcome.status();
        if (status >= 500) {
            return GroupLimiter.Sample.DROP;
        }
        if (!outcome.complete() || outcome.status() == 499) {
            return GroupLimiter.Sample.IGNORE;
        }
        return GroupLimiter.Sample.SUCCESS;
    }
}
