package dev.strata.gateway.cache;

import dev.strata.gateway.filter.BodyStream;
import dev.strata.gateway.filter.RequestView;
import dev.strata.gateway.filter.Suspension;
import dev.strata.gateway.filter.Verdict;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * One response being fetched for a key, and the requests that wait for it instead of going upstream
 * themselves (request coalescing). The fill that fetches it ({@link Fill}, the leader) reports the head,
 * the body pieces (copies in pooled direct buffers) and the end; each waiter is resumed once:
 * <ul>
 *   <li>with a local response that streams the pieces as they come ({@link Reader}), when the response
 *   is being stored, has a length and matches the waiter's {@code Vary} values; a response without a
 *   length is handed out at its end (its size is only known to be below {@code max_object_size} then);</li>
 *   <li>with continue (it goes upstream itself, all of them at once) when the response is not stored,
 *   does not match, grows too large, or the fetch fails before the waiter got anything.</li>
 * </ul>
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li>Every field is guarded by {@code this}; the leader and the readers run on their own event
 *   loops. Suspensions are resumed and readers woken outside the lock.</li>
 *   <li>The pieces are shared by the leader and every reader: {@code holders} counts them (the leader
 *   is one) and the last to let go releases the pieces, so a reader never sees a released buffer.</li>
 *   <li>A reader that has started when the fetch fails mid-body throws from {@code next}: the writer
 *   closes its client's connection.</li>
 *   <li>The number of waiters is bounded ({@code max}); a request over the bound goes upstream.</li>
 * </ul>
 */
final class InFlight {

    enum State { AWAITING_HEAD, STREAMING, BUFFERING, ENDED, RELEASED, FAILED }

    /** A request waiting for this fetch. */
    record Waiter(Suspension suspension, RequestView request, long since) {}

    private final CacheFilter cache;
    final String key;
    private final int max;
    private final List<Waiter> waiters = new ArrayList<>();
    private final List<Reader> readers = new ArrayList<>();
    private final List<ByteBuf> pieces = new ArrayList<>();
    private State state = State.AWAITING_HEAD;
    private int holders = 1;
    private StoredResponse head; // the response as it will be stored (no body yet)
    private long length = -1;

    InFlight(CacheFilter cache, String key, int maxWaiters) {
        this.cache = cache;
        this.key = key;
        this.max = maxWaiters;
    }

    /**
     * Lets {@code w} wait for this fetch; false when it cannot (too many waiters, or the fetch is over or
     * goes no further for others): then it goes upstream.
     */
    boolean join(Waiter w) {
        boolean serveNow;
        synchronized (this) {
            if (state == State.FAILED || state == State.RELEASED || waiters.size() >= max) {
                return false;
            }
            serveNow = state == State.STREAMING || state == State.ENDED;
            if (!serveNow) {
                waiters.add(w);
            }
        }
        if (serveNow) {
            serve(w);
        }
        return true;
    }

    synchronized int waiting() {
        return waiters.size();
    }

    /** The leader's head may be stored: waiters get it (now when it has a length, else at its end). */
    void storing(StoredResponse head, long length) {
        List<Waiter> now;
        synchronized (this) {
            this.head = head;
            this.length = length;
            state = length >= 0 ? State.STREAMING : State.BUFFERING;
            if (length < 0) {
                return;
            }
            now = List.copyOf(waiters);
            waiters.clear();
        }
        now.forEach(this::serve);
    }

    /** The response goes no further for others (not stored, too large): the waiters go upstream. */
    void release() {
        List<Waiter> go;
        synchronized (this) {
            if (state == State.ENDED || state == State.FAILED) {
                return;
            }
            state = readers.isEmpty() ? State.RELEASED : State.FAILED;
            go = List.copyOf(waiters);
            waiters.clear();
        }
        go.forEach(w -> w.suspension().resume(Verdict.CONTINUE));
        wakeReaders();
    }

    /** The fetch failed: waiters go upstream, readers that started fail. */
    void fail() {
        List<Waiter> go;
        synchronized (this) {
            if (state == State.ENDED || state == State.FAILED || state == State.RELEASED) {
                return;
            }
            state = State.FAILED;
            go = List.copyOf(waiters);
            waiters.clear();
        }
        go.forEach(w -> w.suspension().resume(Verdict.CONTINUE));
        wakeReaders();
    }

    void piece(ByteBuf copy) {
        synchronized (this) {
            pieces.add(copy);
            if (state != State.STREAMING) {
                return;
            }
        }
        wakeReaders();
    }

    /** Every piece has come. */
    void end() {
        List<Waiter> now;
        synchronized (this) {
            if (state != State.STREAMING && state != State.BUFFERING) {
                return;
            }
            if (length < 0) {
                length = 0;
                for (ByteBuf p : pieces) {
                    length += p.readableBytes();
                }
            }
            state = State.ENDED;
            now = List.copyOf(waiters);
            waiters.clear();
        }
        now.forEach(this::serve);
        wakeReaders();
    }

    /** The pieces so far, for the leader to store (they stay this object's). */
    synchronized List<ByteBuf> pieces() {
        return List.copyOf(pieces);
    }

    /** The leader is done with the pieces. */
    void leaderDone() {
        letGo();
    }

    private void serve(Waiter w) {
        StoredResponse h;
        synchronized (this) {
            h = head;
        }
        if (h == null || !Vary.matches(h, w.request())) {
            w.suspension().resume(Verdict.CONTINUE);
            return;
        }
        Reader reader = new Reader();
        synchronized (this) {
            if (state == State.FAILED || state == State.RELEASED) {
                reader = null;
            } else {
                holders++;
                readers.add(reader);
            }
        }
        if (reader == null) {
            w.suspension().resume(Verdict.CONTINUE);
            return;
        }
        if (!w.suspension().resume(Verdict.respond(cache.collapsed(h, w.request(), reader, length)))) {
            reader.close(); // it timed out or its client left meanwhile
        }
    }

    private void wakeReaders() {
        List<Reader> rs;
        synchronized (this) {
            rs = List.copyOf(readers);
        }
        for (Reader r : rs) {
            Runnable wake = r.wake;
            if (wake != null) {
                wake.run();
            }
        }
    }

    private void letGo() {
        List<ByteBuf> free = null;
        synchronized (this) {
            if (--holders == 0) {
                free = List.copyOf(pieces);
                pieces.clear();
                if (state != State.FAILED) {
                    state = State.RELEASED; // a late joiner goes upstream (or finds the stored copy)
                }
            }
        }
        if (free != null) {
            free.forEach(ByteBuf::release);
        }
    }

    /** One waiter's body: the pieces as they come. */
    final class Reader implements BodyStream {
        private int next;
        private volatile Runnable wake;
        private boolean closed;

        @Override
        public long length() {
            synchronized (InFlight.this) {
                return length;
            }
        }

        @Override
        public boolean ready() {
            synchronized (InFlight.this) {
                return next < pieces.size() || state == State.ENDED || state == State.FAILED
                        || state == State.RELEASED;
            }
        }

        @Override
        public void onReady(Runnable wake) {
            this.wake = wake;
        }

        @Override
        public ByteBuf next(ByteBufAllocator alloc) {
            synchronized (InFlight.this) {
                if (next < pieces.size()) {
                    return pieces.get(next++).retainedDuplicate();
                }
                if (state == State.ENDED) {
                    return null;
                }
            }
            throw new UncheckedIOException(new java.io.IOException("the shared fetch failed"));
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            synchronized (InFlight.this) {
                readers.remove(this);
            }
            letGo();
        }
    }
}
