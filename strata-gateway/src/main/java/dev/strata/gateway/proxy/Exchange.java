package dev.strata.gateway.proxy;

import dev.strata.gateway.config.GatewayConfig;
import dev.strata.gateway.filter.FilterTypes;
import dev.strata.gateway.filter.Verdict;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;

/**
 * One request's trip through the gateway, from its head to the end of its response. It runs the steps
 * and owns the request's {@link Phase}; each step is another class's: {@link Admission} (head and
 * configuration to a route or a refusal), {@link FilterRun} (the route's filters), {@link UpstreamAttempt}
 * (endpoint, connection, retries), {@link RequestBody} and {@link ResponseRelay} (the streams), and
 * {@link LocalAnswer} (every answer the gateway gives itself).
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Threading.</b> Created and used only on the client channel's event loop; the upstream
 *   connection is leased from the pool of the same loop. No field needs synchronization.</li>
 *   <li><b>Phases</b> only move forward: admitted, filtered (maybe suspended), then proxied or answered
 *   locally, then finished. Anything that arrives for an earlier phase (a late resume, a pool callback
 *   after the end) finds a later one and does nothing.</li>
 *   <li><b>Exactly once.</b> {@link #finish} runs once: it releases what the request holds, tells the
 *   observers, logs and counts the request, and hands the connection back to {@link ClientHandler}.</li>
 * </ul>
 */
final class Exchange implements ChannelFutureListener {


    /** Where the request stands. */
    enum Phase {
        /** Its head is being checked against the configuration. */
        ADMITTING,
        /** The route's filters are running. */
        FILTERING,
        /** A filter waits for an asynchronous decision. */
        SUSPENDED,
        /** A chunked body's first chunk must parse before anything goes upstream. */
        AWAITING_FIRST_CHUNK,
        /** A small body is read whole before anything goes upstream (see {@link RequestBody}). */
        BUFFERING_BODY,
        /** The upstream attempts and the streams are under way. */
        PROXYING,
        /** The gateway is giving its own answer. */
        ANSWERING,
        FINISHED
    }

    final ProxyServer server;
    final ClientHandler client;
    private final ChannelHandlerContext ctx;
    final RequestHead request;
    final Snapshot snapshot;
    final GatewayConfig config;
    final ConnectionTimers timers; // the connection's, see ClientHandler
    private final long startNanos = System.nanoTime();
    private final long startMillis = System.currentTimeMillis();
    final boolean clientKeepAlive;
    final RequestBody body;
    final ResponseRelay response;

    // confined to the event loop
    private Phase phase = Phase.ADMITTING;
    private RoutePlan plan;
    private Admission.Refusal refusal; // the answer to a request no route took, after the unrouted chain
    private FilterRun filters;       // null when the route has none
    private UpstreamAttempt attempt; // null until the request goes upstream
    private int status;
    private boolean local;
    private boolean closeClient;

    Exchange(ProxyServer server, ClientHandler client, ChannelHandlerContext ctx, RequestHead request,
             Snapshot snapshot) {
        this.server = server;
        this.client = client;
        this.ctx = ctx;
        this.request = request;
        this.snapshot = snapshot;
        this.config = snapshot.config();
        this.timers = client.timers;
        this.clientKeepAlive = request.failureStatus == 0 && request.keepAlive() && !client.lastRequest(snapshot);
        this.body = client.requestBody().reset(this, request);
        this.response = client.responseRelay().reset(this);
    }

    Phase phase() {
        return phase;
    }

    UpstreamAttempt attempt() {
        return attempt;
    }

    FilterRun filters() {
        return filters;
    }

    int status() {
        return status;
    }

    void status(int status) {
        this.status = status;
    }

    io.netty.channel.EventLoop eventLoop() {
        return ctx.channel().eventLoop();
    }

    boolean finished() {
        return phase == Phase.FINISHED;
    }

    boolean holds(Channel upstream) {
        return attempt != null && attempt.holds(upstream);
    }

    /** Whether more of this request's body is expected (later messages belong to the next request). */
    boolean wantsRequestContent() {
        return phase != Phase.FINISHED && body.state() == RequestBody.State.RECEIVING;
    }

    // ------------------------------------------------------------------ admission and filters

    void start() {
        server.metrics().requestStarted();
        timers.arm(ConnectionTimers.TOTAL, config.timeouts().total().toMillis());
        request.arrivedFrom(client.peerAddress(), client.peerIp(), snapshot);
        Admission.Decision decision = Admission.admit(request, snapshot, client.listener());
        if (decision instanceof Admission.Refusal r) {
            if (request.failureStatus != 0 || snapshot.unrouted().isEmpty()) {
                LocalAnswer.problem(this, r.status(), r.detail(), null, r.close());
                return;
            }
            // a readable head that no route took: the gateway's own filters see it, then it is refused
            refusal = r;
            filters = new FilterRun(this, snapshot.unrouted(), request, FilterTypes.UNROUTED, server.warmup());
            phase = Phase.FILTERING;
            runFilters();
            return;
        }
        plan = (RoutePlan) decision;
        body.limit(plan.maxBody());
        if (plan.chain().isEmpty()) {
            proceed();
            return;
        }
        filters = new FilterRun(this, plan.chain(), request, plan.route().name(), server.warmup());
        phase = Phase.FILTERING;
        runFilters();
    }

    private void runFilters() {
        Verdict v = filters.run();
        if (v == null) {
            proceed();
        } else if (v.suspended()) {
            phase = Phase.SUSPENDED;
        } else {
            LocalAnswer.respond(this, v.response(), false);
        }
    }

    /** A filter suspended the request for at most {@code timeoutMillis}. */
    void suspended(long timeoutMillis) {
        timers.arm(ConnectionTimers.SUSPEND, timeoutMillis);
    }

    /** A suspension was resumed (on this loop, see {@link FilterRun}). */
    void resumed(Verdict v) {
        if (phase != Phase.SUSPENDED) {
            return; // the request ended, or the filter returned without waiting
        }
        timers.disarm(ConnectionTimers.SUSPEND);
        phase = Phase.FILTERING;
        if (v == Verdict.CONTINUE) {
            runFilters();
        } else {
            LocalAnswer.respond(this, v.response(), false);
        }
    }

    void suspendTimeout() {
        if (phase == Phase.SUSPENDED) {
            Verdict v = filters.suspensionTimedOut();
            if (v != null) {
                resumed(v);
            }
        } else if (phase == Phase.PROXYING) {
            response.holdTimedOut(); // a response head an observer held
        }
    }

    /** Every filter said continue: the request goes upstream. */
    private void proceed() {
        timers.disarm(ConnectionTimers.SUSPEND);
        if (refusal != null) {
            LocalAnswer.problem(this, refusal.status(), refusal.detail(), null, refusal.close());
            return;
        }
        if (request.first(FieldKind.EXPECT) >= 0 && body.present() && request.http11) {
            // accepted by routing, limits and filters: ask for the body ourselves (the upstream never sees Expect)
            ctx.writeAndFlush(Wire.continueResponse(ctx.alloc()), ctx.voidPromise());
        }
        attempt = new UpstreamAttempt(this, plan.group());
        // with filters, this runs outside the read that brought the head: the body must be asked for
        switch (body.beforeDispatch(config.limits(), filters != null)) {
            case WHOLE_BODY -> phase = Phase.BUFFERING_BODY;
            case FIRST_CHUNK -> phase = Phase.AWAITING_FIRST_CHUNK;
            case NOTHING -> {
                phase = Phase.PROXYING;
                attempt.dispatch();
            }
        }
    }

    // ------------------------------------------------------------------ request, client -> upstream

    void requestContent(ByteBuf data) {
        if (phase == Phase.FINISHED || response.complete()) {
            data.release();
            return;
        }
        Channel up = attempt == null ? null : attempt.channel();
        body.content(data, up);
        dispatchOnFirstChunk();
    }

    /** A chunk of the body carried extensions of this many bytes (they count toward {@code max_body}). */
    void requestExtensions(int bytes) {
        if (phase != Phase.FINISHED && !response.complete()) {
            body.extensions(bytes);
        }
    }

    void requestEnd(BodyEnd end) {
        boolean write = body.ended(end);
        if (!write || phase == Phase.FINISHED || response.complete()) {
            return;
        }
        Channel up = attempt == null ? null : attempt.channel();
        if (up != null) {
            body.writeEnd(up);
        } else {
            dispatchOnFirstChunk();
        }
    }

    private void dispatchOnFirstChunk() {
        if (phase == Phase.AWAITING_FIRST_CHUNK || (phase == Phase.BUFFERING_BODY && !body.buffering())) {
            phase = Phase.PROXYING;
            attempt.dispatch();
        }
    }

    /**
     * The request's body is refused ({@code status} 400, 408 or 413, {@code detail} saying why): nothing
     * more of it is read, the upstream request is abandoned (the client is at fault, not the endpoint), and
     * the connection closes after the answer.
     */
    void bodyRefused(int status, String detail) {
        if (phase == Phase.FINISHED) {
            return;
        }
        body.abandon();
        abortUpstream();
        LocalAnswer.problem(this, status, detail, null, true);
    }

    void clientReadComplete() {
        if (phase == Phase.AWAITING_FIRST_CHUNK || phase == Phase.BUFFERING_BODY) {
            body.read();
            return;
        }
        if (phase == Phase.PROXYING) {
            body.readComplete(attempt.channel());
        }
    }

    void upstreamWritabilityChanged() {
        if (phase == Phase.PROXYING) {
            body.upstreamWritable(attempt.channel());
        }
    }

    // ------------------------------------------------------------------ response, upstream -> client

    /** Whether the client connection closes after this response (set once its head is made). */
    void closeClientAfter(boolean close) {
        closeClient = close;
    }

    void clientWritabilityChanged() {
        response.clientWritable(attempt == null ? null : attempt.channel());
    }

    /** A retry is about to dispatch: a 502/503 answer seen so far is not the response. */
    void retrying() {
        status = 0;
    }

    // ------------------------------------------------------------------ timers

    void firstByteTimeout() {
        if (phase != Phase.PROXYING || response.started() || attempt == null || !attempt.open()) {
            return;
        }
        attempt.timedOut();
        LocalAnswer.problem(this, 504, "the upstream did not respond in time", null, false);
    }

    void totalTimeout() {
        if (phase == Phase.FINISHED) {
            return;
        }
        if (attempt != null && attempt.open()) {
            attempt.timedOut();
        }
        if (!response.started()) {
            LocalAnswer.problem(this, 504, "the request took longer than " + config.timeouts().total().toSeconds() + "s", null, true);
        } else {
            cut();
        }
    }

    // ------------------------------------------------------------------ local answers (LocalAnswer)

    /** The gateway answers by itself from now, with {@code status} so far. */
    void answering(int status) {
        phase = Phase.ANSWERING;
        local = true;
        this.status = status;
        timers.disarm(ConnectionTimers.FIRST_BYTE);
        timers.disarm(ConnectionTimers.SUSPEND);
    }

    // ------------------------------------------------------------------ endings

    /** The client connection closed. */
    void clientClosed() {
        if (phase == Phase.FINISHED) {
            return;
        }
        closeClient = true;
        if (!response.started()) {
            status = 499;
        }
        if (filters != null && filters.readsToEndWithoutClient() && phase == Phase.PROXYING
                && response.state() == ResponseRelay.State.STREAMING && attempt.channel() != null) {
            response.detach(attempt.channel()); // finish comes with the upstream's end
            return;
        }
        abortUpstream();
        finish(false);
    }

    private void abortUpstream() {
        if (attempt != null && attempt.open()) {
            attempt.end(null, false); // the endpoint is not to blame
        }
    }

    /** Part of a response is out and the rest will not come: the connection closes, the only honest signal left. */
    void cut() {
        closeClient = true;
        ctx.close();
        finish(false);
    }

    /** The last write of the response completed: the exchange ends (see {@link #finish}). */
    @Override
    public void operationComplete(ChannelFuture written) {
        finish(written.isSuccess());
    }

    /** Ends the request exactly once and hands the connection back. */
    void finish(boolean writeSucceeded) {
        if (phase == Phase.FINISHED) {
            return;
        }
        phase = Phase.FINISHED;
        response.release();
        if (attempt != null) {
            attempt.close();
        }
        timers.disarm(ConnectionTimers.FIRST_BYTE);
        timers.disarm(ConnectionTimers.TOTAL);
        timers.disarm(ConnectionTimers.BODY_READ);
        timers.disarm(ConnectionTimers.SUSPEND);
        body.release();
        long durationNanos = System.nanoTime() - startNanos;
        boolean complete = writeSucceeded && response.complete();
        ExchangeLog.record(this, plan, attempt, filters, status, local, complete, startMillis, durationNanos);
        client.exchangeFinished(this, writeSucceeded && !closeClient);
    }

}
