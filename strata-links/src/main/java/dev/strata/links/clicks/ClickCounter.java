package dev.strata.links.clicks;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design notes
 *
 * Goal. A redirect counts its click without waiting for the database: record() touches only
 * memory; a flusher thread writes the sums in one batch every interval.
 *
 * Invariant: every recorded click is, at any moment, in exactly one place: a live adder of
 * `pending`, a retired adder on its way back, `unsaved` (taken but not yet committed), or the
 * database. Nothing is dropped except by forget() (the link was deleted).
 *
 * - Taking counts. The flusher calls LongAdder.sumThenReset(), which moves each cell out with an
 *   atomic getAndSet, so an increment racing with it lands either in this batch or in the next.
 * - Failed flush. A batch that fails to commit stays in `unsaved` and is retried, merged with
 *   newer counts, on the next flush. (A commit whose acknowledgement is lost is retried too, so a
 *   count can be too high after a database failure, never too low.)
 * - Retiring idle adders, so that the map does not grow with every code ever clicked. The flusher
 *   removes an adder that stayed at zero for a whole interval. A recorder may still hold it and
 *   increment it afterwards; so after its increment a recorder checks that its adder is still
 *   the mapped one, and if not it drains the adder (sumThenReset) and adds what it drained to the
 *   live adder. The flusher drains a retired adder once too. Each increment is drained by exactly
 *   one sumThenReset, and whoever drains it re-adds it, so the race loses nothing.
 *
 * Threading. record() and pending() run on request threads; flush() is serialized by its monitor
 * (the scheduled flusher and close() may both call it).
 */
/** Counts redirects per code in memory and adds them to the database in batches. */
public final class ClickCounter implements AutoCloseable {

    /** Where the counts go: one call per batch, all or nothing. */
    @FunctionalInterface
    public interface Sink {
        void addClicks(Map<String, Long> clicksByCode) throws Exception;
    }

    private static final Logger LOG = LoggerFactory.getLogger(ClickCounter.class);
    private static final int CLOSE_ATTEMPTS = 3;

    private final ConcurrentHashMap<String, LongAdder> pending = new ConcurrentHashMap<>();
    /** Counts taken from `pending` whose batch has not committed yet; guarded by {@code this}. */
    private final Map<String, Long> unsaved = new HashMap<>();
    /** A read-only copy of `unsaved` for pending(); replaced under {@code this}. */
    private volatile Map<String, Long> unsavedView = Map.of();
    private final Sink sink;
    private final ScheduledExecutorService flusher;

    public ClickCounter(Sink sink, Duration interval) {
        if (interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("interval: %s (expected: > 0)".formatted(interval));
        }
        this.sink = sink;
        this.flusher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "links-click-flush");
            t.setDaemon(true);
            return t;
        });
        long millis = interval.toMillis();
        flusher.scheduleWithFixedDelay(this::flushQuietly, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Counts one click on {@code code}. */
    public void record(String code) {
        add(code, 1);
    }

    /** Clicks on {@code code} counted here and not yet in the database. */
    public long pending(String code) {
        LongAdder adder = pending.get(code);
        return (adder == null ? 0 : adder.sum()) + unsavedView.getOrDefault(code, 0L);
    }

    /** Drops the counts of a deleted link, so they cannot reach a new link with the same code. */
    public void forget(String code) {
        LongAdder adder = pending.remove(code);
        if (adder != null) {
            adder.sumThenReset();
        }
        synchronized (this) {
            if (unsaved.remove(code) != null) {
                unsavedView = Map.copyOf(unsaved);
            }
        }
    }

    /** Writes every count taken so far; throws if the database refused them (they are kept). */
    public synchronized void flush() throws Exception {
        for (Map.Entry<String, LongAdder> e : pending.entrySet()) {
            long n = e.getValue().sumThenReset();
            if (n > 0) {
                unsaved.merge(e.getKey(), n, Long::sum);
            } else if (pending.remove(e.getKey(), e.getValue())) {
                long stray = e.getValue().sumThenReset();
                if (stray > 0) {
                    add(e.getKey(), stray);
                }
            }
        }
        if (unsaved.isEmpty()) {
            return;
        }
        unsavedView = Map.copyOf(unsaved);
        sink.addClicks(Map.copyOf(unsaved));
        unsaved.clear();
        unsavedView = Map.of();
    }

    /** Stops the flusher and writes what is left, retrying a few times. */
    @Override
    public void close() {
        flusher.shutdown();
        try {
            flusher.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (int attempt = 1; attempt <= CLOSE_ATTEMPTS; attempt++) {
            try {
                flush();
                return;
            } catch (Exception e) {
                LOG.warn("final click flush failed (attempt {} of {}): {}", attempt, CLOSE_ATTEMPTS, e.toString());
                try {
                    Thread.sleep(200L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        synchronized (this) {
            LOG.error("click counts lost after failed final flush: {}", unsaved);
        }
    }

    private void add(String code, long n) {
        while (true) {
            LongAdder adder = pending.computeIfAbsent(code, k -> new LongAdder());
            adder.add(n);
            if (pending.get(code) == adder) {
                return;
            }
            n = adder.sumThenReset();
            if (n == 0) {
                return;
            }
        }
    }

    private void flushQuietly() {
        try {
            flush();
        } catch (Exception e) {
            LOG.warn("click flush failed; the counts are kept and retried: {}", e.toString());
        }
    }
}
