package dev.strata.gateway.proxy;

import dev.strata.gateway.filter.ExchangeOutcome;
import dev.strata.gateway.filter.FilterChain;
import dev.strata.gateway.filter.FilterContext;
import dev.strata.gateway.filter.HeaderEdits;
import dev.strata.gateway.filter.LocalResponse;
import dev.strata.gateway.filter.RequestView;
import dev.strata.gateway.filter.ResponseEdits;
import dev.strata.gateway.filter.ResponseHold;
import dev.strata.gateway.filter.ResponseObserver;
import dev.strata.gateway.filter.ResponseView;
import dev.strata.gateway.filter.Suspension;
import dev.strata.gateway.filter.Verdict;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.EventExecutor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request's pass through its route's filter chain, and what the filters left on it: header edits,
 * response observers, access-log fields. Made only for a route that has filters, so a route without
 * any allocates nothing for them.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Order.</b> Filters run in chain order until one answers or suspends; the next runs only after
 *   the previous said continue. After the last, the exchange goes on to the upstream.</li>
 *   <li><b>Suspension.</b> At most one at a time. {@link Pending#resume} may come from any thread and is
 *   handed to the event loop (always as a task, so that it also works when called before the filter has
 *   returned); the timeout is the connection's {@code SUSPEND} timer. Whichever of resume, timeout or the
 *   exchange's end comes first wins the {@code done} flag; the others do nothing.</li>
 *   <li><b>A filter that throws</b> answers 500 for its request; the gateway goes on.</li>
 *   <li><b>Observers</b> are called in registration order, each {@code onComplete} exactly once.</li>
 *   <li><b>A held head</b> ({@link #hold}) is the relay's to keep; its release, like a resume, is handed to
 *   the event loop, and whichever of release, timeout or the exchange's end comes first wins.</li>
 * </ul>
 * Threading: confined to the request's event loop, but for {@link Pending#resume}.
 */
final class FilterRun implements FilterContext, ResponseEdits {

    private static final Logger log = LoggerFactory.getLogger(FilterRun.class);

    private final Exchange exchange;
    private final FilterChain chain;
    private final RequestHead request;
    private final String route;
    private final boolean warmup;

    // confined to the event loop
    private int next;
    private Pending suspension;
    private HeaderEdits upstreamEdits;
    private HeaderEdits clientEdits;
    private ResponseObserver[] observers;
    private int observerCount;
    private List<String> logFields;
    private boolean readToEnd;
    private boolean completed;
    private LocalResponse replacement;
    private boolean holdable;   // an upstream's head is being observed
    private Held held;          // asked for while observing it

    FilterRun(Exchange exchange, FilterChain chain, RequestHead request, String route, boolean warmup) {
        this.exchange = exchange;
        this.chain = chain;
        this.request = request;
        this.route = route;
        this.warmup = warmup;
    }

    /**
     * Runs the filters from the next one: returns {@code null} when every filter said continue, a local
     * response when one answered, or {@link Verdict#CONTINUE}'s sibling {@code suspended} verdict.
     */
    Verdict run() {
        while (next < chain.size()) {
            int i = next++;
            Verdict v;
            try {
                v = chain.get(i).onRequest(this);
            } catch (RuntimeException e) {
                log.warn("filter {} of route {} failed: {}", i, route, e.toString());
                v = Verdict.respond(LocalResponse.problem(500, "a filter of this route failed", null, null));
            }
            if (v == null || v == Verdict.CONTINUE) {
                continue;
            }
            if (v.suspended()) {
                if (suspension == null || suspension.done.get() && suspension.result == null) {
                    log.warn("filter {} of route {} suspended without a suspension", i, route);
                    return Verdict.respond(LocalResponse.problem(500, "a filter of this route failed", null, null));
                }
                return v;
            }
            return v;
        }
        return null;
    }

    // ------------------------------------------------------------------ FilterContext

    @Override
    public RequestView request() {
        return request;
    }

    @Override
    public String route() {
        return route;
    }

    @Override
    public HeaderEdits upstreamHeaders() {
        HeaderEdits e = upstreamEdits;
        return e != null ? e : (upstreamEdits = new HeaderEdits());
    }

    @Override
    public HeaderEdits clientHeaders() {
        HeaderEdits e = clientEdits;
        return e != null ? e : (clientEdits = new HeaderEdits());
    }

    @Override
    public HeaderEdits headers() {
        return clientHeaders();
    }

    @Override
    public void readToEndWithoutClient() {
        readToEnd = true;
    }

    @Override
    public void replaceWith(LocalResponse response) {
        replacement = java.util.Objects.requireNonNull(response, "response");
    }

    @Override
    public ResponseHold hold(Duration timeout) {
        if (held != null) {
            throw new IllegalStateException("a response head is held once");
        }
        Held h = new Held(timeout.toMillis());
        if (!holdable) {
            h.done.set(true); // a local response is not held
            return h;
        }
        held = h;
        return h;
    }

    /** The hold an observer asked for on the upstream's head just seen, or {@code null}; cleared. */
    Held takeHold() {
        Held h = held;
        held = null;
        if (h != null && replacement != null) {
            h.done.set(true); // a replaced head is not held
            return null;
        }
        return h;
    }

    /** The response an observer put in place of the upstream's head just seen, or {@code null}; cleared. */
    LocalResponse takeReplacement() {
        LocalResponse r = replacement;
        replacement = null;
        return r;
    }

    @Override
    public void observe(ResponseObserver observer) {
        if (observers == null) {
            observers = new ResponseObserver[Math.max(2, chain.size())];
        } else if (observerCount == observers.length) {
            observers = Arrays.copyOf(observers, observerCount * 2);
        }
        observers[observerCount++] = observer;
    }

    @Override
    public void logField(String name, String value) {
        if (logFields == null) {
            logFields = new ArrayList<>(4);
        }
        logFields.add(name);
        logFields.add(value);
    }

    @Override
    public Suspension suspend(Duration timeout, Verdict onTimeout) {
        if (suspension != null && !suspension.done.get()) {
            throw new IllegalStateException("a request is suspended once at a time");
        }
        Pending p = new Pending(exchange.eventLoop(), onTimeout == null ? Verdict.CONTINUE : onTimeout);
        suspension = p;
        exchange.suspended(timeout.toMillis());
        return p;
    }

    @Override
    public boolean warmup() {
        return warmup;
    }

    // ------------------------------------------------------------------ what the exchange asks

    /** The suspension's timeout passed: returns the verdict to go on with, or {@code null} if it had ended. */
    Verdict suspensionTimedOut() {
        Pending p = suspension;
        if (p == null || !p.done.compareAndSet(false, true)) {
            return null;
        }
        suspension = null;
        return p.onTimeout;
    }

    /** The exchange ends: a suspension still waiting is void. */
    void cancel() {
        Pending p = suspension;
        if (p != null) {
            p.done.set(true);
            suspension = null;
        }
    }

    HeaderEdits upstreamEdits() {
        return upstreamEdits;
    }

    HeaderEdits clientEdits() {
        return clientEdits;
    }

    List<String> logFields() {
        return logFields;
    }

    boolean readsToEndWithoutClient() {
        return readToEnd;
    }

    boolean observed() {
        return observerCount > 0;
    }

    /** The upstream's head: as {@link #responseHead}, and an observer may {@link #hold} it. */
    void upstreamHead(ResponseView response) {
        holdable = true;
        try {
            responseHead(response);
        } finally {
            holdable = false;
        }
    }

    void responseHead(ResponseView response) {
        for (int i = 0; i < observerCount; i++) {
            try {
                observers[i].onResponseHead(response, this);
            } catch (RuntimeException e) {
                log.warn("a response observer of route {} failed: {}", route, e.toString());
            }
        }
    }

    void responseBody(ByteBuf chunk) {
        for (int i = 0; i < observerCount; i++) {
            try {
                observers[i].onResponseBody(chunk);
            } catch (RuntimeException e) {
                log.warn("a response observer of route {} failed: {}", route, e.toString());
            }
        }
    }

    void responseEnd() {
        for (int i = 0; i < observerCount; i++) {
            try {
                observers[i].onResponseEnd();
            } catch (RuntimeException e) {
                log.warn("a response observer of route {} failed: {}", route, e.toString());
            }
        }
    }

    /** Ends the run; {@code outcome} goes to the observers (it may be {@code null} when there are none). */
    void complete(ExchangeOutcome outcome) {
        if (completed) {
            return;
        }
        completed = true;
        cancel();
        for (int i = 0; i < observerCount; i++) {
            try {
                observers[i].onComplete(outcome);
            } catch (RuntimeException e) {
                log.warn("a response observer of route {} failed: {}", route, e.toString());
            }
        }
    }

    /** A response head held back from the client (see {@link ResponseRelay}). */
    final class Held implements ResponseHold {
        final long timeoutMillis;
        final AtomicBoolean done = new AtomicBoolean();

        Held(long timeoutMillis) {
            this.timeoutMillis = timeoutMillis;
        }

        @Override
        public boolean release() {
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            exchange.eventLoop().execute(() -> exchange.response.released(this));
            return true;
        }

        /** The timeout passed: returns whether it ends the hold (no release came first). */
        boolean expire() {
            return done.compareAndSet(false, true);
        }
    }

    /** A suspension handed to a filter. */
    private final class Pending implements Suspension {
        final EventExecutor loop;
        final Verdict onTimeout;
        final AtomicBoolean done = new AtomicBoolean();
        volatile Verdict result;

        Pending(EventExecutor loop, Verdict onTimeout) {
            this.loop = loop;
            this.onTimeout = onTimeout;
        }

        @Override
        public boolean resume(Verdict verdict) {
            if (verdict == null || verdict.suspended()) {
                throw new IllegalArgumentException("verdict: " + verdict + " (expected: continue or a response)");
            }
            if (!done.compareAndSet(false, true)) {
                return false;
            }
            result = verdict;
            loop.execute(() -> {
                if (suspension == this) {
                    suspension = null;
                }
                exchange.resumed(verdict);
            });
            return true;
        }
    }
}
