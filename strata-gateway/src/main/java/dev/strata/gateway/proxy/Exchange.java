package dev.strata.gateway.proxy;

import dev.strata.gateway.config.GatewayConfig;
import dev.strata.gateway.config.RouteConfig;
import dev.strata.gateway.config.UpstreamConfig;
import dev.strata.gateway.health.Outcome;
import dev.strata.gateway.log.AccessLog;
import dev.strata.gateway.pool.ConnectionPool;
import dev.strata.gateway.upstream.Endpoint;
import dev.strata.gateway.upstream.UpstreamGroup;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request's trip through the proxy: routing, limits, endpoint selection, retries, and streaming
 * the body up and the response down.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Threading.</b> Created and used only on the client channel's event loop; the upstream
 *   channel is leased from the pool of the same loop. No field needs synchronization.</li>
 *   <li><b>Backpressure, both ways.</b> Client bytes are read only while the upstream channel is
 *   writable, and upstream bytes only while the client channel is writable (Netty's proxy example,
 *   with writability instead of per-write futures so that one read's messages go out with one flush).
 *   Body content that arrives before the upstream connection exists waits in {@code pending}; at most
 *   one read's worth, since no further read is asked for until the connection is there.</li>
 *   <li><b>Exactly-once accounting.</b> An attempt (one endpoint) is opened by {@code dispatch} and
 *   closed by {@code endAttempt}, which decrements the endpoint's in-flight count, records the outcome
 *   for outlier detection and returns or closes the connection; a flag makes the second call a no-op.
 *   The request as a whole ends in {@code finish}, guarded the same way, which releases everything,
 *   records metrics and the access log and hands the connection back to {@link ClientHandler}.</li>
 *   <li><b>Retries</b> happen only while the client has seen nothing and the upstream has got no
 *   byte of the body: on connect failure (any method: nothing left the gateway), and for idempotent
 *   methods also on a reset before the response or a 502/503 response. Each retry goes to an
 *   endpoint this request has not tried, within {@code max_attempts}. Retries after a reset or a
 *   502/503 also need the group's retry budget, which keeps retries from multiplying the work of a
 *   failing group; a retry after a connect failure does not, since no endpoint did any work yet (a
 *   dead endpoint fails connects fast, so least-request keeps picking it until it is ejected, and a
 *   budget would turn those picks into client errors).</li>
 * </ul>
 */
final class Exchange implements ConnectionPool.Lease, ChannelFutureListener {

    private static final Logger log = LoggerFactory.getLogger(Exchange.class);
    private static final byte[] REFERER = Wire.ascii("referer");
    private static final byte[] USER_AGENT = Wire.ascii("user-agent");

    private final ProxyServer server;
    private final ClientHandler client;
    private final ChannelHandlerContext ctx;
    private final RequestHead request;
    private final Snapshot snapshot;
    private final GatewayConfig config;
    private final long startNanos = System.nanoTime();
    private final long startMillis = System.currentTimeMillis();
    private final boolean head;
    private final String originalUri;

    // all below: confined to the event loop
    private RouteConfig route;
    private UpstreamGroup group;
    private long maxBody;
    private boolean hasBody;
    private boolean idempotent;
    private boolean clientKeepAlive;
    private boolean chunked;       // the request body is chunked (and so is what the upstream gets)
    private String targetOverride; // an absolute-form target made origin-form
    private String hostOverride;   // ... and the Host it named

    private int attempts;
    private long tried;
    private Endpoint endpoint;
    private ConnectionPool pool; // endpoint's pool on this event loop
    private Channel upstream;
    private UpstreamHandler upstreamHandler;
    private boolean attemptOpen;
    private boolean retryHeld;
    private boolean budgetStarted;
    private long attemptStartNanos;
    private long firstByteNanos = -1;
    private Outcome lastFailure;
    private boolean lastFailureTimeout;

    private ArrayDeque<ByteBuf> pending;
    private BodyEnd requestEnd;
    private boolean awaitingFirstChunk;
    private boolean requestComplete;
    private boolean requestSent;
    private boolean bodyBytesSent;
    private long bodyBytes;
    private boolean clientReadWanted;
    private boolean upstreamReadWanted;

    private boolean responseStarted;
    private boolean responseComplete;
    private boolean chunkedToClient;
    private ByteBuf heldHead; // the response head, not yet written (see upstreamResponse)
    private boolean closeClient;
    private int status;
    private long bytesSent;
    private boolean finished;

    private final ConnectionTimers timers; // the connection's, see ClientHandler

    Exchange(ProxyServer server, ClientHandler client, ChannelHandlerContext ctx, RequestHead request,
             Snapshot snapshot) {
        this.server = server;
        this.client = client;
        this.ctx = ctx;
        this.request = request;
        this.snapshot = snapshot;
        this.config = snapshot.config();
        this.head = request.head;
        this.originalUri = request.target;
        this.timers = client.timers;
    }

    /** Whether more of this request's body is expected (later messages belong to the next request). */
    boolean wantsRequestContent() {
        return !finished && !requestComplete;
    }

    // ------------------------------------------------------------------ request start

    void start() {
        server.metrics().requestStarted();
        timers.arm(ConnectionTimers.TOTAL, config.timeouts().total().toMillis());
        if (request.failureStatus != 0) {
            requestComplete = true;
            hasBody = true; // unknown framing: the connection closes
            switch (request.failureStatus) {
                case 414 -> respondError(414, "the request line is longer than " + config.limits().maxRequestLine(), true);
                case 431 -> respondError(431, "the header section is larger than " + config.limits().maxHeaderSize(), true);
                case 505 -> respondError(505, request.failure, true);
                default -> respondError(400, "malformed request: " + request.failure, true);
            }
            return;
        }
        request.arrivedFrom(client.peerAddress(), snapshot);
        chunked = request.chunked();
        long length = chunked ? -1 : Math.max(request.contentLength, 0);
        hasBody = chunked || length > 0;
        clientKeepAlive = request.keepAlive();
        idempotent = request.idempotent;

        int hosts = request.count(FieldKind.HOST);
        if (hosts > 1 || (request.http11 && hosts == 0)) {
            respondError(400, "a request needs exactly one Host header", true);
            return;
        }
        String uri = request.target;
        String host = null; // only made when routing needs it
        if (uri.startsWith("http://") || uri.startsWith("https://")) {
            int authority = uri.indexOf("://") + 3;
            int slash = uri.indexOf('/', authority);
            host = uri.substring(authority, slash < 0 ? uri.length() : slash);
            if (host.isEmpty() || host.indexOf('@') >= 0) {
                respondError(400, "invalid absolute request target", true);
                return;
            }
            hostOverride = host;
            targetOverride = slash < 0 ? "/" : uri.substring(slash);
            uri = targetOverride;
        } else if (!uri.startsWith("/") && !(uri.equals("*") && request.method.equals("OPTIONS"))) {
            respondError(400, "invalid request target", true);
            return;
        }
        int expectField = request.first(FieldKind.EXPECT);
        String expect = expectField < 0 ? null : request.value(expectField);
        if (expect != null && !expect.equalsIgnoreCase("100-continue")) {
            respondError(417, "only the expectation 100-continue is supported", hasBody);
            return;
        }
        if (host == null && snapshot.router().byHost()) {
            int hostField = request.first(FieldKind.HOST);
            host = hostField < 0 ? null : request.value(hostField);
        }
        route = snapshot.router().match(host, uri);
        if (route == null) {
            respondError(404, "no route for this host and path", hasBody);
            return;
        }
        group = snapshot.upstreams().group(route.upstream());
        maxBody = route.maxBody() != null ? route.maxBody().bytes() : config.limits().maxBody().bytes();
        if (length > maxBody) {
            respondError(413, "the request body is larger than " + maxBody + " bytes", true);
            return;
        }
        if (expect != null && hasBody && request.http11) {
            // accepted by routing and limits: ask for the body ourselves (the upstream never sees Expect)
            ctx.writeAndFlush(Wire.continueResponse(ctx.alloc()), ctx.voidPromise());
        }
        group.retryBudget().requestStarted();
        budgetStarted = true;
        if (chunked) {
            // dispatch once the first chunk parsed: a request whose first chunk size is invalid
            // must not reach the upstream even in part
            awaitingFirstChunk = true;
            return;
        }
        dispatch();
    }

    // ------------------------------------------------------------------ endpoint selection and connection

    private void dispatch() {
        int index = group.select(request, tried);
        if (index < 0) {
            if (attempts == 0) {
                respondNoEndpoint();
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
        attemptOpen = true;
        attemptStartNanos = System.nanoTime();
        firstByteNanos = -1;
        UpstreamConfig.PoolConfig poolConfig = endpoint.poolConfig();
        pool = endpoint.pool(ctx.channel().eventLoop());
        pool.acquire(this, poolConfig.maxPerEventLoop(),
                config.timeouts().upstreamConnect().toMillis(), poolConfig.idleTimeout().toMillis());
    }

    @Override
    public void acquired(Channel channel, boolean reused) {
        if (finished || !attemptOpen) {
            endpoint.pool(channel.eventLoop()).release(channel, true);
            return;
        }
        upstream = channel;
        upstreamHandler = channel.pipeline().last() instanceof UpstreamHandler u ? u
                : channel.pipeline().get(UpstreamHandler.class);
        upstreamHandler.attach(this);
        upstreamHandler.decoder.expectResponseTo(head);
        ByteBuf requestHead = Wire.requestHead(channel.alloc(), request, targetOverride, hostOverride,
                client.peer(snapshot), snapshot.via());
        // a write on a dead connection fails synchronously and ends the attempt (maybe starting a retry
        // on another connection), so after every write: still ours?
        if (!hasBody) {
            channel.write(requestHead, channel.voidPromise());
            if (upstream != channel) {
                return;
            }
            requestSent = true;
            client.flushes.upstream(channel);
            armFirstByteTimer();
        } else {
            channel.write(requestHead, channel.voidPromise());
            if (upstream != channel) {
                return;
            }
            ByteBuf c;
            while (upstream == channel && pending != null && (c = pending.poll()) != null) {
                writeBody(c);
            }
            if (upstream == channel && requestEnd != null) {
                writeEnd(requestEnd); // also again on a retry: no body byte went out before it
            }
            if (upstream != channel) {
                return;
            }
            channel.flush();
            if (upstream != channel) {
                return;
            }
        }
        channel.read();
        if (!requestComplete) {
            readClientIfWritable();
        }
    }

    @Override
    public void failed(Throwable cause) {
        if (finished || !attemptOpen) {
            return;
        }
        if (cause instanceof ConnectionPool.PoolExhaustedException) {
            endAttempt(null, false);
            respondError(503, "the upstream connection pool is exhausted", Integer.valueOf(1), false);
            return;
        }
        lastFailureTimeout = cause instanceof ConnectTimeoutException;
        log.debug("connecting to {} failed: {}", endpoint.id(), cause.toString());
        endAttempt(Outcome.CONNECT_FAILURE, false);
        // no retry permit: the request reached no endpoint, so trying another duplicates no work
        if (!bodyBytesSent && attempts < group.config().retry().maxAttempts() && group.hasUntried(tried)) {
            retry();
        } else {
            failAfterLastAttempt();
        }
    }

    // ------------------------------------------------------------------ request body, client -> upstream

    void requestContent(ByteBuf data) {
        if (finished || responseComplete || !hasBody) {
            data.release();
            return;
        }
        if (upstream == null) {
            if (pending == null) {
                pending = new ArrayDeque<>(4);
            }
            pending.add(data);
            dispatchOnFirstChunk();
        } else {
            writeBody(data);
        }
    }

    /** A chunked request goes upstream once its first chunk parsed (see {@link #start}). */
    private void dispatchOnFirstChunk() {
        if (awaitingFirstChunk) {
            awaitingFirstChunk = false;
            dispatch();
        }
    }

    void requestEnd(BodyEnd end) {
        requestComplete = true;
        timers.disarm(ConnectionTimers.BODY_READ);
        if (finished || responseComplete || !hasBody) {
            return; // a bodiless request's end: its head went out complete
        }
        requestEnd = end;
        if (upstream == null) {
            dispatchOnFirstChunk();
        } else {
            writeEnd(end);
        }
    }

    /** The client's body could not be decoded any further. */
    void requestFailed(String reason) {
        requestComplete = true;
        abortUpstream(null);
        respondError(400, "malformed request body: " + reason, true);
    }

    private void writeBody(ByteBuf data) {
        int n = data.readableBytes();
        bodyBytes += n;
        if (bodyBytes > maxBody) {
            data.release();
            requestComplete = true;
            abortUpstream(null);
            respondError(413, "the request body is larger than " + maxBody + " bytes", true);
            return;
        }
        if (n > 0) {
            bodyBytesSent = true;
        }
        Wire.writeBody(upstream, upstream.alloc(), data, chunked);
    }

    private void writeEnd(BodyEnd end) {
        Channel ch = upstream;
        if (chunked) {
            ch.write(Wire.end(ch.alloc(), end, true), ch.voidPromise());
        }
        if (upstream != ch) {
            return;
        }
        requestSent = true;
        ch.flush();
        if (upstream == ch) {
            armFirstByteTimer();
        }
    }

    void clientReadComplete() {
        if (awaitingFirstChunk) {
            readBody();
            return;
        }
        Channel ch = upstream;
        if (ch != null && !requestSent) {
            ch.flush(); // once the request is sent (and flushed) nothing of it is left to flush
        }
        if (!finished && !requestComplete && upstream != null) {
            readClientIfWritable();
        }
    }

    private void readClientIfWritable() {
        if (upstream == null) {
            return;
        }
        if (upstream.isWritable()) {
            clientReadWanted = false;
            readBody();
        } else {
            clientReadWanted = true;
            timers.disarm(ConnectionTimers.BODY_READ); // the gateway, not the client, is waiting now
        }
    }

    void upstreamWritabilityChanged() {
        if (clientReadWanted && upstream != null && upstream.isWritable() && !finished && !requestComplete) {
            clientReadWanted = false;
            readBody();
        }
    }

    /** Asks for more of the request body, which must then arrive within {@code timeouts.body_read}. */
    private void readBody() {
        timers.arm(ConnectionTimers.BODY_READ, config.timeouts().bodyRead().toMillis());
        ctx.read();
    }

    void bodyReadTimeout() {
        if (finished || requestComplete) {
            return;
        }
        requestComplete = true; // nothing more of it will be read
        abortUpstream(null);    // the client is slow, not the endpoint
        respondError(408, "the request body did not arrive in time", true);
    }

    // ------------------------------------------------------------------ response, upstream -> client

    void upstreamResponse(ResponseHead response) {
        if (finished || responseStarted) {
            return;
        }
        int code = response.status;
        if (code < 200) {
            return; // informational: Expect is answered by the gateway and Upgrade is not forwarded
        }
        timers.disarm(ConnectionTimers.FIRST_BYTE);
        firstByteNanos = System.nanoTime() - attemptStartNanos;
        if ((code == 502 || code == 503) && canRetry()) {
            endAttempt(Outcome.ofStatus(code), false);
            lastFailure = Outcome.SERVER_ERROR;
            retry();
            return;
        }
        responseStarted = true;
        status = code;
        boolean close = !clientKeepAlive || server.draining() || !requestComplete;
        if (!response.bodyless() && !head
                && (response.transferEncoding || response.contentLengths == 0)) {
            // the upstream framed the body by chunks or by closing: re-frame it for this client
            if (request.http11) {
                chunkedToClient = true;
            } else {
                close = true; // an HTTP/1.0 client reads to the end of the connection
            }
        }
        boolean chunkedHead = chunkedToClient || (head && response.transferEncoding && request.http11);
        closeClient = close;
        // held until the end of this read: a small body that came with it joins it in one buffer
        heldHead = Wire.responseHead(ctx.alloc(), response, chunkedHead, close, request.http11, snapshot.via());
    }

    void upstreamContent(ByteBuf data) {
        if (finished || !responseStarted || responseComplete) {
            data.release();
            return;
        }
        int n = data.readableBytes();
        bytesSent += n;
        ByteBuf held = heldHead;
        if (held != null) {
            if (n <= Wire.JOIN_LIMIT) {
                Wire.appendBody(held, data, chunkedToClient);
                data.release();
                return;
            }
            heldHead = null;
            ctx.write(held, ctx.voidPromise());
        }
        Wire.writeBody(ctx, ctx.alloc(), data, chunkedToClient);
    }

    void upstreamEnd(BodyEnd end) {
        if (finished || !responseStarted || responseComplete) {
            return;
        }
        responseComplete = true;
        if (!requestComplete) {
            closeClient = true; // the rest of the body will not be read
        }
        endAttempt(Outcome.ofStatus(status),
                requestSent && upstreamHandler.decoder.reusable());
        ByteBuf last;
        if (heldHead != null) {
            last = heldHead;
            heldHead = null;
            Wire.appendEnd(last, end, chunkedToClient);
        } else {
            last = Wire.end(ctx.alloc(), end, chunkedToClient);
        }
        ctx.write(last).addListener(this);
        client.flushes.client(ctx.channel());
    }

    void upstreamReadComplete() {
        if (responseComplete) {
            return; // its end was written, and its flush is in the batch
        }
        writeHeldHead();
        client.flushes.client(ctx.channel());
        if (!finished && upstream != null) {
            if (ctx.channel().isWritable()) {
                upstreamReadWanted = false;
                upstream.read();
            } else {
                upstreamReadWanted = true;
            }
        }
    }

    void clientWritabilityChanged() {
        if (upstreamReadWanted && ctx.channel().isWritable() && upstream != null && !finished) {
            upstreamReadWanted = false;
            upstream.read();
        }
    }

    private void writeHeldHead() {
        ByteBuf held = heldHead;
        if (held != null) {
            heldHead = null;
            ctx.write(held, ctx.voidPromise());
        }
    }

    /** The upstream connection closed or failed while this exchange held it. */
    void upstreamFailed(Throwable cause) {
        if (finished || responseComplete || upstream == null) {
            return;
        }
        if (log.isDebugEnabled()) {
            log.debug("upstream {} failed for {} {}: {}", endpoint.id(), request.method, originalUri,
                    cause == null ? "connection closed" : cause.toString());
        }
        timers.disarm(ConnectionTimers.FIRST_BYTE);
        endAttempt(Outcome.RESET, false);
        if (!responseStarted) {
            lastFailure = Outcome.RESET;
            if (canRetry()) {
                retry();
            } else {
                respondError(502, "the upstream closed the connection before responding", false);
            }
        } else {
            // part of the response is out: the only honest signal left is to close the connection
            closeClient = true;
            ctx.close();
            finish(false);
        }
    }

    // ------------------------------------------------------------------ retries

    private boolean canRetry() {
        return idempotent && !bodyBytesSent && attempts < group.config().retry().maxAttempts()
                && group.hasUntried(tried) && acquireRetry();
    }

    private boolean acquireRetry() {
        if (group.retryBudget().tryAcquireRetry()) {
            retryHeld = true;
            return true;
        }
        return false;
    }

    private void retry() {
        server.metrics().retry(group.name());
        dispatch();
    }

    // ------------------------------------------------------------------ timers

    private void armFirstByteTimer() {
        if (!timers.armed(ConnectionTimers.FIRST_BYTE)) {
            timers.arm(ConnectionTimers.FIRST_BYTE, config.timeouts().upstreamFirstByte().toMillis());
        }
    }

    void firstByteTimeout() {
        if (finished || responseStarted || !attemptOpen) {
            return;
        }
        abortUpstream(Outcome.TIMEOUT);
        respondError(504, "the upstream did not respond in time", false);
    }

    void totalTimeout() {
        if (finished) {
            return;
        }
        abortUpstream(Outcome.TIMEOUT);
        if (!responseStarted) {
            respondError(504, "the request took longer than " + config.timeouts().total().toSeconds() + "s", true);
        } else {
            closeClient = true;
            ctx.close();
            finish(false);
        }
    }

    // ------------------------------------------------------------------ endings

    /** The client connection closed. */
    void clientClosed() {
        if (finished) {
            return;
        }
        closeClient = true;
        if (!responseStarted) {
            status = 499;
        }
        abortUpstream(null);
        finish(false);
    }

    private void abortUpstream(Outcome outcome) {
        if (attemptOpen) {
            endAttempt(outcome, false);
        }
    }

    /**
     * Ends the current attempt exactly once.
     *
     * @param outcome  what to record for outlier detection, or {@code null} when the endpoint is not to
     *                 blame (the client went away, the local pool was exhausted)
     * @param reusable whether the connection may go back to the pool
     */
    private void endAttempt(Outcome outcome, boolean reusable) {
        if (!attemptOpen) {
            return;
        }
        attemptOpen = false;
        Endpoint e = endpoint;
        e.finished(firstByteNanos);
        if (outcome != null) {
            group.detector().record(e.health(), outcome);
            server.metrics().upstreamRequest(group.name(), e.id(), outcome);
            if (outcome != Outcome.SUCCESS && outcome != Outcome.SERVER_ERROR) {
                lastFailure = outcome;
            }
        }
        if (retryHeld) {
            retryHeld = false;
            group.retryBudget().retryFinished();
        }
        Channel ch = upstream;
        if (ch != null) {
            upstream = null;
            upstreamHandler.detach();
            upstreamHandler = null;
            pool.release(ch, reusable); // ch is on this loop, like every connection of the pool
        }
    }

    private void failAfterLastAttempt() {
        if (lastFailure == Outcome.CONNECT_FAILURE && lastFailureTimeout) {
            respondError(504, "connecting to the upstream timed out", false);
        } else if (lastFailure == Outcome.CONNECT_FAILURE) {
            // nothing reachable: the service is down rather than misbehaving
            respondError(503, "no endpoint of upstream group '" + group.name() + "' could be reached",
                    Integer.valueOf(1), false);
        } else {
            respondError(502, "the upstream failed", false);
        }
    }

    private void respondNoEndpoint() {
        respondError(503, "no healthy endpoint in upstream group '" + group.name() + "'", Integer.valueOf(1), false);
    }

    private void respondError(int code, String detail, boolean forceClose) {
        respondError(code, detail, null, forceClose);
    }

    private void respondError(int code, String detail, Integer retryAfter, boolean forceClose) {
        if (finished) {
            return;
        }
        if (responseStarted) {
            closeClient = true;
            ctx.close();
            finish(false);
            return;
        }
        responseStarted = true;
        responseComplete = true;
        status = code;
        timers.disarm(ConnectionTimers.FIRST_BYTE);
        boolean close = forceClose || !clientKeepAlive || server.draining() || (hasBody && !requestComplete);
        closeClient = close;
        ByteBuf r = Errors.problem(ctx.alloc(), code, detail,
                originalUri.length() <= 256 && originalUri.startsWith("/") ? pathOf(originalUri) : null,
                config.name(), close, retryAfter, head);
        bytesSent = r.readableBytes();
        ctx.writeAndFlush(r).addListener(this);
    }

    /** The last write of the response completed: the exchange ends (see {@link #finish}). */
    @Override
    public void operationComplete(ChannelFuture written) {
        finish(written.isSuccess());
    }

    /** Ends the request exactly once and hands the connection back. */
    private void finish(boolean writeSucceeded) {
        if (finished) {
            return;
        }
        finished = true;
        if (heldHead != null) {
            heldHead.release();
            heldHead = null;
        }
        abortUpstream(null);
        timers.disarm(ConnectionTimers.FIRST_BYTE);
        timers.disarm(ConnectionTimers.TOTAL);
        timers.disarm(ConnectionTimers.BODY_READ);
        if (pending != null) {
            ByteBuf c;
            while ((c = pending.poll()) != null) {
                c.release();
            }
        }
        if (budgetStarted) {
            group.retryBudget().requestFinished();
        }
        long duration = System.nanoTime() - startNanos;
        String routeName = route == null ? "-" : route.name();
        server.metrics().requestFinished(routeName, status, duration);
        AccessLog log = server.accessLog();
        if (log != null) {
            log.log(new AccessLog.Entry(client.peerAddress() == null ? "-" : client.peerIp(), startMillis,
                    request.method, originalUri, request.version(), status, bytesSent, request.header(REFERER),
                    request.header(USER_AGENT), route == null ? null : route.name(),
                    endpoint == null ? null : endpoint.id(), duration, attempts));
        }
        client.exchangeFinished(this, writeSucceeded && !closeClient);
    }

    private static String pathOf(String uri) {
        int q = uri.indexOf('?');
        return q < 0 ? uri : uri.substring(0, q);
    }
}
