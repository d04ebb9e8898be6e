package dev.strata.gateway.dashboard;

import java.util.ArrayList;
import java.util.List;

/**
 * The gateway's last events (ejections, returns, reloads, restarts) for the dashboard: a fixed number
 * of slots, the oldest overwritten first.
 *
 * <h2>Design notes</h2>
 * The slots are allocated once, as parallel arrays; recording stores a clock reading and three
 * references the caller already holds, under the ring's lock, so it allocates nothing and costs the
 * same however full the ring is. Events are rare (state changes, not requests), so one lock is never
 * contended in a way that matters; readers copy what they want under it.
 */
public final class EventRing {

    /** One event, as a reader gets it. */
    public record Event(long sequence, long epochMillis, String kind, String subject, String detail) {}

    private final long[] times;
    private final String[] kinds;
    private final String[] subjects;
    private final String[] details;
    private long recorded; // events recorded so far; the next goes to slot recorded % capacity

    public EventRing(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        times = new long[capacity];
        kinds = new String[capacity];
        subjects = new String[capacity];
        details = new String[capacity];
    }

    public int capacity() {
        return times.length;
    }

    /** Records one event now; {@code subject} is what it happened to (a node, the gateway). */
    public void record(String kind, String subject, String detail) {
        long now = System.currentTimeMillis();
        synchronized (this) {
            int slot = (int) (recorded % times.length);
            times[slot] = now;
            kinds[slot] = kind;
            subjects[slot] = subject;
            details[slot] = detail;
            recorded++;
        }
    }

    /** Events recorded so far, those overwritten included. */
    public synchronized long recorded() {
        return recorded;
    }

    /** Up to {@code max} of the latest events, newest first. */
    public synchronized List<Event> latest(int max) {
        int n = (int) Math.min(Math.min(max, recorded), times.length);
        List<Event> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            long seq = recorded - 1 - i;
            int slot = (int) (seq % times.length);
            out.add(new Event(seq + 1, times[slot], kinds[slot], subjects[slot], details[slot]));
        }
        return out;
    }
}
