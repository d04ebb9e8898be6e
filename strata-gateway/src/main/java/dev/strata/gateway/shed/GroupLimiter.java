package dev.strata.gateway.shed;

import com.netflix.concurrency.limits.Limit;
import com.netflix.concurrency.limits.limit.AIMDLimit;
import com.netflix.concurrency.limits.limit.Gradient2Limit;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The adaptive concurrency limit of one upstream group (under one set of settings), its requests in
 * flight, and the requests waiting for a slot.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>The algorithm is the library's, the admission is ours.</b> The limit is a
 *   {@code concurrency-limits} {@link Limit} (Gradient2 or AIMD), fed one sample per request that reached
 *   an endpoint. The library's own limiters are not used: {@code SimpleLimiter.acquire} makes an
 *   {@code Optional} and a listener per request besides the observer the filter needs anyway, and the
 *   ones that queue ({@code BlockingLimiter}, {@code LifoBlockingLimiter}) park the calling thread, which
 *   an event loop must never do. Here a request costs one object (its {@link Permit}), and a waiting one
 *   is a suspended request, not a thread.</li>
 *   <li><b>Invariant: {@code inFlight} counts the slots taken</b>, and a slot is only taken while
 *   {@code inFlight < limit}: by {@link #tryAcquire} (a compare-and-set loop, so event loops never lock)
 *   or by {@link #drain} for the oldest live waiter. Every slot taken is given back exactly once, by the
 *   permit's end. When the limit falls below the requests in flight, nothing is taken until enough end.</li>
 *   <li><b>No lost wake-up.</b> A waiter is queued before it drains, and a drain that finds no waiter
 *   for the slot it took gives the slot back and looks again: whichever of the two comes second sees
 *   the other's write.</li>
 *   <li><b>Bounded waiting.</b> At most {@code queue_size} requests wait ({@code waiting}, counted with
 *   a compare-and-set before queueing), each for at most {@code queue_timeout} (its suspension's
 *   timeout answers 503). A waiter that timed out or whose client left stays in the queue as a dead
 *   entry until a drain or a later enqueue skips it off the head.</li>
 *   <li><b>Samples.</b> The latency is from taking the slot to the response head (what the endpoint
 *   took, not how fast the client reads); the slot is held to the response's end, as the upstream
 *   connection is. {@link Limit#onSample} takes the library's lock (a few arithmetic operations, shared
 *   by the group's event loops); Gradient2 boxes its sample on the way (AIMD allocates nothing).</li>
 * </ul>
 */
final class GroupLimiter {

    /** What a finished request tells the limit. */
    enum Sample { SUCCESS, DROP, IGNORE }

    private final String group;
    private final ShedSettings settings;
    private final Limit limit;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger waiting = new AtomicInteger();
    private final ConcurrentLinkedQueue<Permit> queue = new ConcurrentLinkedQueue<>();
    private final LongAdder samples = new LongAdder();
    private final Counter shedAtLimit;
    private final Counter shedAfterWait;
    private final MeterRegistry meters;
    private final ShedResource resource;
    private volatile boolean announced;

    GroupLimiter(String group, ShedSettings settings, MeterRegistry meters, ShedResource resource) {
        this.group = group;
        this.settings = settings;
        this.limit = limit(settings);
        this.meters = meters;
        this.resource = resource;
        shedAtLimit = Counter.builder("strata.shed.requests").tag("upstream", group).tag("reason", "limit")
                .description("Requests shed with 503 because the group was at its concurrency limit")
                .register(meters);
        shedAfterWait = Counter.builder("strata.shed.requests").tag("upstream", group).tag("reason", "queue_timeout")
                .description("Requests shed with 503 after waiting queue_timeout for a slot")
                .register(meters);
    }

    /**
     * Makes this the limiter that the group's gauges and {@code /_strata/shed} show: at once for a
     * group that has none yet, else at its first request (so that a limiter built for a reload that is
     * then refused never takes them over).
     */
    void announce() {
        if (announced) {
            return;
        }
        synchronized (this) {
            if (announced) {
                return;
            }
            gauge("strata.shed.limit", "The group's current concurrency limit", GroupLimiter::limit);
            gauge("strata.shed.in.flight", "The group's requests holding a slot", GroupLimiter::inFlight);
            gauge("strata.shed.waiting", "The group's requests waiting for a slot", GroupLimiter::waiting);
            resource.current(this);
            announced = true;
        }
    }

    boolean announced() {
        return announced;
    }

    private void gauge(String name, String description, java.util.function.ToDoubleFunction<GroupLimiter> value) {
        Meter.Id id = new Meter.Id(name, io.micrometer.core.instrument.Tags.of("upstream", group), null, null,
                Meter.Type.GAUGE);
        meters.remove(id);
        Gauge.builder(name, this, value).tag("upstream", group).description(description).register(meters);
    }

    private static Limit limit(ShedSettings s) {
        if (s.algorithm().equals("aimd")) {
            return AIMDLimit.newBuilder().initialLimit(s.initialLimit()).minLimit(s.minLimit()).maxLimit(s.maxLimit())
                    .backoffRatio(s.backoffRatio()).timeout(s.maxLatency().toNanos(), TimeUnit.NANOSECONDS).build();
        }
        return Gradient2Limit.newBuilder().initialLimit(s.initialLimit()).minLimit(s.minLimit())
                .maxConcurrency(s.maxLimit()).build();
    }

    String group() {
        return group;
    }

    ShedSettings settings() {
        return settings;
    }

    int limit() {
        return limit.getLimit();
    }

    int inFlight() {
        return inFlight.get();
    }

    int waiting() {
        return waiting.get();
    }

    /** Samples the limit has taken. */
    long samples() {
        return samples.sum();
    }

    double shed() {
        return shedAtLimit.count() + shedAfterWait.count();
    }

    /** Takes a slot if the limit leaves one: returns the requests in flight with this one, or 0. */
    int tryAcquire() {
        for (;;) {
            int n = inFlight.get();
            if (n >= limit.getLimit()) {
                return 0;
            }
            if (inFlight.compareAndSet(n, n + 1)) {
                return n + 1;
            }
        }
    }

    /** Queues {@code permit} (already suspended) if the queue has room; it is granted a slot by a drain. */
    boolean enqueue(Permit permit) {
        for (;;) {
            int n = waiting.get();
            if (n >= settings.queueSize()) {
                return false;
            }
            if (waiting.compareAndSet(n, n + 1)) {
                break;
            }
        }
        skipDead();
        queue.add(permit);
        drain();
        return true;
    }

    void shedAtLimit() {
        shedAtLimit.increment();
    }

    /** A waiter left the queue without a slot (timed out or its client left). */
    void leftQueue(boolean timedOut) {
        waiting.decrementAndGet();
        if (timedOut) {
            shedAfterWait.increment();
        }
    }

    /** Gives a slot back, feeding the limit what the request showed. */
    void release(long startNanos, long rttNanos, int inFlightAtStart, Sample sample) {
        inFlight.decrementAndGet();
        if (sample != Sample.IGNORE) {
            limit.onSample(startNanos, rttNanos, inFlightAtStart, sample == Sample.DROP);
            samples.increment();
        }
        if (!queue.isEmpty()) {
            drain();
        }
    }

    /** Grants free slots to the oldest live waiters. */
    private void drain() {
        for (;;) {
            int slot = tryAcquire();
            if (slot == 0) {
                return;
            }
            Permit p;
            boolean granted = false;
            while ((p = queue.poll()) != null) {
                if (p.grant(slot)) {
                    waiting.decrementAndGet();
                    granted = true;
                    break;
                }
            }
            if (granted) {
                p.resume();
                continue;
            }
            inFlight.decrementAndGet();
            if (queue.isEmpty()) {
                return;
            }
        }
    }

    private void skipDead() {
        Permit p;
        while ((p = queue.peek()) != null && !p.waiting()) {
            queue.remove(p);
        }
    }
}
