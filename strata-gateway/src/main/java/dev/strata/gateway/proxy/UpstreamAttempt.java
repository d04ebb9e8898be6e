package dev.strata.gateway.proxy;

import dev.strata.gateway.config.UpstreamConfig;
import dev.strata.gateway.filter.HeaderEdits;
import dev.strata.gateway.health.Outcome;
import dev.strata.gateway.pool.ConnectionPool;
import dev.strata.gateway.upstream.Endpoint;
import dev.strata.gateway.upstream.UpstreamGroup;
import io.netty.channel.Channel;
import io.netty.channel.ConnectTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request's attempts at its upstream group: picking an endpoint, leasing a connection to it, sending
 * the request head, and after a failure, retrying on another endpoint or giving up with the right status.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Exactly-once accounting.</b> An attempt is opened by {@link #dispatch} and closed by
 *   {@link #end}, which decrements the endpoint's in-flight count, records the outcome for outlier
 *   detection and returns or closes the connection; {@link State} makes the second call a no-op. The
 *   group's retry budget counts the request from this object's creation to {@link #close}.</li>
 *   <li><b>Retries</b> happen only while the client has seen nothing and the upstream has got no
 *   byte of the body: on connect failure (any method: nothing left the gateway), and for idempotent
 *   methods also on a reset before the response or a 502/503 response (not one that says, with
 *   {@code Strata-Degraded}, that every endpoint would give it). Each retry goes to an
 *   endpoint this request has not tried, within {@code max_attempts}. Retries after a reset or a
 *   502/503 also need the group's retry budget, which keeps retries from multiplying the work of a
 *   failing group; a retry after a connect failure does not, since no endpoint did any work yet (a
 *   dead endpoint fails connects fast, so least-request keeps picking it until it is ejected, and a
 *   budget would turn those picks into client errors).</li>
 *   <li><b>A write on a dead connection</b> fails synchronously and ends the attempt (maybe starting a
 *   retry on another connection), so after every write the sender checks that the channel is still the
 *   attempt's ({@link #holds}).</li>
 * </ul>
 * Threading: confined to the client channel's event loop; the connection is leased from that loop's pool.
 */
final class UpstreamAttempt implements ConnectionPool.Lease {

    private static final Logger log = LoggerFactory.getLogger(UpstreamAttempt.class);

    /** Where the current attempt stands. */
    enum State { NONE, LEASING, ATTACHED }

    /** Why the last attempt failed, as the final answer tells it. */
    enum Failure { NONE, CONNECT, CONNECT_TIMEOUT, RESET, SERVER_ERROR, TIMEOUT }

    private final Exchange exchange;
    private final UpstreamGroup group;

    // confined to the event loop
    private State state = State.NONE;
    private int attempts;
    private long tried;
    private Endpoint endpoint;
    private ConnectionPool pool;   // endpoint's pool on this event loop
    private Channel channel;
    private UpstreamHandler handler;
    private boolean retryHeld;     // this attempt holds one of the budget's retries
    private long startNanos;
    private long firstByteNanos = -1;
    /** What the response whose head arrived counts as, for when it ends; null before a head. */
    private Outcome answer;
    private Failure lastFailure = Failure.NONE;
    private boolean closed;

    UpstreamAttempt(Exchange exchange, UpstreamGroup group) {
        this.exchange = exchange;
        this.group = group;
        group.retryBudget().requestStarted();
    }

    int attempts() {
        return attempts;
    }

    String endpointId() {
        return endpoint == null ? null : endpoint.id();
    }

    /** Whether an attempt is open (leasing or attached). */
    boolean open() {
        return state != State.NONE;
    }

    /** Whether {@code ch} is still this attempt's connection (see the design notes). */
    boolean holds(Channel ch) {
        return channel == ch && ch != null;
    }

    Channel channel() {
        return channel;
    }

    ResponseDecoder decoder() {
        return handler.decoder;
    }

    /** Picks an endpoint this request has not tried and asks its pool for a connection. */
    void dispatch() {
        int index = group.select(exchange.request, tried);
        if (index < 0) {
            if (attempts == 0) {
                LocalAnswer.problem(exchange, 503, "no healthy endpoint in upstream group '" + group.name() + "'", 1,
                        false);
            } else {
                failAfterLastAttempt();
            }
            return;
        }
        endpoint = group.endpoints().get(index);
        if (index < 64) {
            tried |= 1L << index;
        }
        attempts++;
        endpoint.dispatched();
        state = State.LEASING;
        startNanos = System.nanoTime();
        firstByteNanos = -1;
        answer = null;
        UpstreamConfig.PoolConfig poolConfig = endpoint.poolConfig();
        pool = endpoint.pool(exchange.eventLoop());
        pool.acquire(this, poolConfig.maxPerEventLoop(),
                exchange.config.timeouts().upstreamConnect().toMillis(), poolConfig.idleTimeout().toMillis());
    }

    @Override
    public void acquired(Channel ch, boolean reused) {
        if (exchange.finished() || state != State.LEASING) {
            endpoint.pool(ch.eventLoop()).release(ch, true);
            return;
        }
        state = State.ATTACHED;
        channel = ch;
        handler = ch.pipeline().last() instanceof UpstreamHandler u ? u : ch.pipeline().get(UpstreamHandler.class);
        handler.attach(exchange.response);
        handler.decoder.expectResponseTo(exchange.request.head);
        send(ch);
    }

    /** The head goes out (with the filters' edits), then what the body holds; then the response is read. */
    private void send(Channel ch) {
        FilterRun filters = exchange.filters();
        HeaderEdits edits = filters == null ? null : filters.upstreamEdits();
        Snapshot snapshot = exchange.snapshot;
        ch.write(Wire.requestHead(ch.alloc(), exchange.request, exchange.client.peer(snapshot), snapshot.via(), edits,
                endpoint.id()),
                ch.voidPromise());
        RequestBody body = exchange.body;
        if (!holds(ch) || !body.sendHeld(ch)) {
            return;
        }
        ch.read();
        if (body.state() == RequestBody.State.RECEIVING) {
            body.readIfWritable(ch);
        }
    }

    @Override
    public void failed(Throwable cause) {
        if (exchange.finished() || state != State.LEASING) {
            return;
        }
        if (cause instanceof ConnectionPool.PoolExhaustedException) {
            end(null, false);
            LocalAnswer.problem(exchange, 503, "the upstream connection pool is exhausted", 1, false);
            return;
        }
        log.debug("connecting to {} failed: {}", endpoint.id(), cause.toString());
        end(Outcome.CONNECT_FAILURE, false);
        lastFailure = cause instanceof ConnectTimeoutException ? Failure.CONNECT_TIMEOUT : Failure.CONNECT;
        // no retry permit: the request reached no endpoint, so trying another duplicates no work
        if (!exchange.body.anySent() && attempts < group.config().retry().maxAttempts() && group.hasUntried(tried)) {
            retry();
        } else {
            failAfterLastAttempt();
        }
    }

    /** The response's first byte arrived: the endpoint's latency sample. */
    void firstByte() {
        firstByteNanos = System.nanoTime() - startNanos;
    }

    /** The response's head arrived: what it counts as for the endpoint's health when it ends. */
    void answered(Outcome outcome) {
        answer = outcome;
    }

    /** What {@link #answered} said, or the outcome of {@code status} without it. */
    Outcome answer(int status) {
        return answer != null ? answer : Outcome.ofStatus(status);
    }

    /** A 502 or 503 answer: retried when it may be (see the design notes); returns whether it was. */
    boolean retriedAfterServerError(int status) {
        if (!canRetry()) {
            return false;
        }
        end(Outcome.ofStatus(status), false);
        lastFailure = Failure.SERVER_ERROR;
        retry();
        return true;
    }

    /** The connection failed before the response: retried when it may be; returns whether it was. */
    boolean retriedAfterReset() {
        end(Outcome.RESET, false);
        lastFailure = Failure.RESET;
        if (canRetry()) {
            retry();
            return true;
        }
        return false;
    }

    /** Ends the open attempt with a timeout against the endpoint. */
    void timedOut() {
        end(Outcome.TIMEOUT, false);
    }

    private boolean canRetry() {
        if (!exchange.request.idempotent || exchange.body.anySent() || attempts >= group.config().retry().maxAttempts()
                || !group.hasUntried(tried)) {
            return false;
        }
        if (group.retryBudget().tryAcquireRetry()) {
            retryHeld = true;
            return true;
        }
        return false;
    }

    private void retry() {
        exchange.server.metrics().retry(group.name());
        exchange.retrying();
        dispatch();
    }

    /**
     * Ends the current attempt exactly once.
     *
     * @param outcome  what to record for outlier detection, or {@code null} when the endpoint is not to
     *                 blame (the client went away, the local pool was exhausted)
     * @param reusable whether the connection may go back to the pool
     */
    void end(Outcome outcome, boolean reusable) {
        if (state == State.NONE) {
            return;
        }
        state = State.NONE;
        Endpoint e = endpoint;
        e.finished(firstByteNanos);
        if (outcome != null) {
            group.detector().record(e.health(), outcome);
            exchange.server.metrics().upstreamRequest(group.name(), e.id(), outcome, firstByteNanos);
            if (outcome == Outcome.TIMEOUT) {
                lastFailure = Failure.TIMEOUT;
            }
        }
        if (retryHeld) {
            retryHeld = false;
            group.retryBudget().retryFinished();
        }
        Channel ch = channel;
        if (ch != null) {
            channel = null;
            handler.detach();
            handler = null;
            pool.release(ch, reusable); // ch is on this loop, like every connection of the pool
        }
    }

    private void failAfterLastAttempt() {
        switch (lastFailure) {
            case CONNECT_TIMEOUT -> LocalAnswer.problem(exchange, 504, "connecting to the upstream timed out", null, false);
            // nothing reachable: the service is down rather than misbehaving
            case CONNECT -> LocalAnswer.problem(exchange, 503, "no endpoint of upstream group '" + group.name()
                    + "' could be reached", 1, false);
            default -> LocalAnswer.problem(exchange, 502, "the upstream failed", null, false);
        }
    }

    /** The request is over: an attempt still open is abandoned, and the budget lets go of the request. */
    void close() {
        if (closed) {
            return;
        }
        closed = true;
        end(null, false);
        group.retryBudget().requestFinished();
    }
}
