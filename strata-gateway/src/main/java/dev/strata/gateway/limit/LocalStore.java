package dev.strata.gateway.limit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/*
 * Design notes
 *
 * One Cell per (limit name, key) in a Caffeine cache bounded to maxKeys entries. A cell expires once its window
 * (tolerance + one emission interval) has passed since its last request: by then its TAT is behind the
 * clock and the key is as good as fresh, so expiry forgets nothing that matters.
 *
 * At the bound Caffeine evicts by W-TinyLFU: a new key that is seen once does not push out keys seen
 * often, so a flood of distinct one-off keys mostly evicts itself. An evicted key is forgotten, and its
 * next request finds a fresh key (a whole burst): at the bound the limiter errs on the side of
 * admitting, and memory stays at maxKeys cells (each about 100 bytes plus its key, which is at most
 * RateLimitFilter.MAX_KEY_CHARS characters).
 *
 * Caffeine's upkeep (its read buffers, expiry, eviction) runs on the thread that decides, in small
 * amortised steps, rather than waking a pool thread every few requests of a hot key.
 *
 * A cell's TAT changes under the cell's own monitor: requests of one key serialize on it, requests of
 * different keys never meet.
 */
/** The GCRA state of this gateway's keys, in bounded memory. */
final class LocalStore implements LimitStore {

    static final class Cell {
        long tat;
        long window;

        Cell(long now, long window) {
            this.tat = now;
            this.window = window;
        }
    }

    /** A cell's key: the limit's (rule's) name and the request's key, both as the caller holds them. */
    private record CellKey(String limit, String key) {}

    private final Cache<CellKey, Cell> cells;
    private final LongSupplier clock;

    /**
     * @param maxKeys the most keys held at once
     * @param clock   nanoseconds, as {@link System#nanoTime}
     */
    LocalStore(long maxKeys, LongSupplier clock) {
        this.clock = clock;
        this.cells = Caffeine.newBuilder()
                .maximumSize(maxKeys)
                .ticker(clock::getAsLong)
                .executor(Runnable::run) // upkeep on the deciding thread: no hand-off to a pool per few reads
                .expireAfter(new Expiry<CellKey, Cell>() {
                    @Override
                    public long expireAfterCreate(CellKey key, Cell cell, long currentTime) {
                        return cell.window;
                    }

                    @Override
                    public long expireAfterUpdate(CellKey key, Cell cell, long currentTime, long currentDuration) {
                        return cell.window;
                    }

                    @Override
                    public long expireAfterRead(CellKey key, Cell cell, long currentTime, long currentDuration) {
                        return cell.window;
                    }
                })
                .build();
    }

    static LocalStore system(long maxKeys) {
        return new LocalStore(maxKeys, System::nanoTime);
    }

    @Override
    public Decision now(String key, Limit limit) {
        long now = clock.getAsLong();
        CellKey k = new CellKey(limit.name(), key);
        Cell cell = cells.getIfPresent(k);
        if (cell == null) {
            cell = cells.get(k, absent -> new Cell(now, limit.windowNanos()));
        }
        synchronized (cell) {
            cell.window = limit.windowNanos();
            Decision d = Gcra.decide(cell.tat - now, limit);
            if (d.allowed()) {
                cell.tat = now + d.resetNanos();
            }
            return d;
        }
    }

    @Override
    public CompletionStage<Decision> decide(String key, Limit limit) {
        return CompletableFuture.completedFuture(now(key, limit));
    }

    /** Keys held now (an estimate until {@link #cleanUp}). */
    long size() {
        return cells.estimatedSize();
    }

    /** Runs pending evictions and expiries (tests, the admin view). */
    void cleanUp() {
        cells.cleanUp();
    }

    void resize(long maxKeys) {
        cells.policy().eviction().ifPresent(e -> {
            if (e.getMaximum() != maxKeys) {
                e.setMaximum(maxKeys);
            }
        });
    }
}
