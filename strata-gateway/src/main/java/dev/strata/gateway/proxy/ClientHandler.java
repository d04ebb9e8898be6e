package dev.strata.gateway.proxy;

import dev.strata.gateway.limit.ConnectionLimits;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connection-level half of the proxy: one per client connection. It runs one {@link Exchange} at a
 * time and owns the connection's timers.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>One request at a time.</b> Reading is manual ({@code AUTO_READ} off). Between requests
 *   the handler asks for one read; during a request the exchange asks for reads only while the
 *   upstream can take more body. Messages that arrive after the current request's end (pipelined
 *   requests decoded from the same read) wait in {@code backlog}, which is bounded by one read
 *   because no further read is asked for until the exchange ends.</li>
 *   <li><b>Timers.</b> Between requests the idle timer runs; when the first byte of a head arrives
 *   the header-read timer replaces it (408 and close when it fires); the head's arrival stops it.
 *   The running exchange's total, first-byte and body-read timeouts are the connection's too, so that
 *   all five live in one {@link ConnectionTimers}, re-armed per request without scheduler work.</li>
 *   <li><b>Drain.</b> When the gateway drains, an idle connection closes at once and a busy one after
 *   its current response, which carries {@code Connection: close}.</li>
 * </ul>
 * Threading: every field is confined to the channel's event loop.
 */
final class ClientHandler extends ChannelDuplexHandler implements RequestDecoder.HeadWatch {

    private static final Logger log = LoggerFactory.getLogger(ClientHandler.class);

    private final ProxyServer server;

    // confined to the event loop
    private ChannelHandlerContext ctx;
    private Exchange exchange;
    private final ArrayDeque<Object> backlog = new ArrayDeque<>(2);
    ConnectionTimers timers;  // idle and header read are armed here; the others by the running exchange
    FlushBatch flushes;       // the event loop's
    private RequestBody requestBody;     // the streams of the running exchange, reused by the next one
    private ResponseRelay responseRelay;
    private boolean headPending; // bytes of a request head arrived whose RequestHead has not been seen yet
    private boolean closed;
    private boolean inputClosed; // the client half-closed: answer what is in progress, then close

    // the client's address, formatted once per connection; confined to the event loop
    private boolean peerKnown;
    private final String listener;
    private InetAddress peerAddress;
    private String peerIp;
    private byte[] forwardedFor;
    private Snapshot peerIn; // the generation peer was computed for
    private Wire.Peer peer;
    private long requests; // on this connection, for limits.max_requests_per_connection

    ClientHandler(ProxyServer server) {
        this(server, null);
    }

    /** A connection accepted by the listener called {@code listener} ({@code null}: unnamed). */
    ClientHandler(ProxyServer server, String listener) {
        this.server = server;
        this.listener = listener;
    }

    /** The name of the listener this connection came in on, or {@code null}. */
    String listener() {
        return listener;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        flushes = server.flushBatch(ctx.channel().eventLoop());
        timers = new ConnectionTimers(ctx.executor(), this::timedOut);
        requestBody = new RequestBody(ctx, timers);
        responseRelay = new ResponseRelay(ctx);
    }

    /**
     * The connection's request body and response streams, handed to each exchange in turn: one exchange
     * runs at a time, and it has released both before the next one starts ({@link Exchange} finishes
     * before {@link #exchangeFinished}), so a request allocates neither.
     */
    /** Whether the request being started must be this connection's last (limits.max_requests_per_connection). */
    boolean lastRequest(Snapshot s) {
        return ConnectionLimits.lastRequest(requests, s.config().limits().maxRequestsPerConnection());
    }

    RequestBody requestBody() {
        return requestBody;
    }

    ResponseRelay responseRelay() {
        return responseRelay;
    }

    private void timedOut(int which) {
        if (which == ConnectionTimers.IDLE) {
            idleTimeout();
            return;
        }
        if (which == ConnectionTimers.HEADER_READ) {
            headerTimeout();
            return;
        }
        Exchange x = exchange; // the other three are the running exchange's
        if (x == null) {
            return;
        }
        switch (which) {
            case ConnectionTimers.TOTAL -> x.totalTimeout();
            case ConnectionTimers.FIRST_BYTE -> x.firstByteTimeout();
            case ConnectionTimers.BODY_READ -> {
                if (x.wantsRequestContent()) {
                    x.bodyRefused(408, "the request body did not arrive in time");
                }
            }
            case ConnectionTimers.SUSPEND -> x.suspendTimeout();
            default -> throw new IllegalArgumentException("timeout " + which);
        }
    }

    private void knowPeer() {
        peerKnown = true;
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress a && a.getAddress() != null) {
            peerAddress = a.getAddress();
            peerIp = peerAddress.getHostAddress();
            forwardedFor = Wire.ascii(peerAddress instanceof Inet6Address ? "for=\"[" + peerIp + "]\"" : "for=" + peerIp);
        } else {
            peerIp = "unknown";
            forwardedFor = Wire.ascii("for=unknown");
        }
    }

    /** The client's IP address, or {@code null} when the channel has none. */
    InetAddress peerAddress() {
        if (!peerKnown) {
            knowPeer();
        }
        return peerAddress;
    }

    /** The client's IP address as text ({@code unknown} when there is none). */
    String peerIp() {
        if (!peerKnown) {
            knowPeer();
        }
        return peerIp;
    }

    /** The client as its requests' forwarding fields describe it, in generation {@code s}. */
    Wire.Peer peer(Snapshot s) {
        if (peerIn != s) {
            InetAddress a = peerAddress();
            peer = new Wire.Peer(Wire.ascii(peerIp), forwardedFor, a != null && s.trusted(a));
            peerIn = s;
        }
        return peer;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        armIdle();
        ctx.read();
    }

    @Override
    public void headStarted() {
        headPending = true;
        if (exchange == null && !closed) {
            armHeaderTimer();
        }
    }

    private void armHeaderTimer() {
        timers.disarm(ConnectionTimers.IDLE);
        timers.arm(ConnectionTimers.HEADER_READ, server.snapshot().config().timeouts().headerRead().toMillis());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closed) {
            ReferenceCountUtil.release(msg);
            return;
        }
        if (msg instanceof RequestHead) {
            headPending = false;
        }
        if (!backlog.isEmpty() || (exchange != null && !exchange.wantsRequestContent())) {
            backlog.add(msg);
            return;
        }
        handle(msg);
    }

    private void handle(Object msg) {
        Exchange x = exchange;
        if (msg instanceof ByteBuf data) {
            if (x != null) {
                x.requestContent(data);
            } else {
                data.release(); // the rest of a request that was already answered
            }
        } else if (msg instanceof BodyEnd end) {
            if (x != null) {
                x.requestEnd(end);
            }
        } else if (msg instanceof RequestHead head) {
            cancelTimer();
            requests++;
            x = new Exchange(server, this, ctx, head, server.snapshot());
            exchange = x;
            x.start();
        } else if (msg instanceof ChunkExtensions ext) {
            if (x != null) {
                x.requestExtensions(ext.bytes());
            }
        } else if (msg instanceof DecodeFailure failure) {
            if (x != null) {
                x.bodyRefused(400, "malformed request body: " + failure.reason());
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        Exchange x = exchange;
        if (x != null) {
            x.clientReadComplete();
            if (!x.wantsRequestContent() && backlog.isEmpty() && !closed) {
                // The request is complete: keep one read pending. It notices a client that goes away
                // while its response is being produced, and it spares re-arming read interest after
                // every request. Bounded: what it reads waits in the backlog, and no further read is
                // asked for while the backlog is not empty.
                ctx.read();
            }
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            inputClosed = true;
            if (exchange == null && backlog.isEmpty()) {
                closed = true;
                ctx.close();
            } else if (exchange != null && exchange.wantsRequestContent()) {
                // the client stopped sending mid-body: the request can never complete, so its upstream
                // request ends now (channelInactive aborts it), not when timeouts.body_read runs out
                ctx.close();
            }
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        Exchange x = exchange;
        if (x != null) {
            x.clientWritabilityChanged();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closed = true;
        timers.stop();
        Exchange x = exchange;
        exchange = null;
        if (x != null) {
            x.clientClosed();
        }
        Object m;
        while ((m = backlog.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("client connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }

    /** Called by the exchange once its response is written (or failed); exactly once per exchange. */
    void exchangeFinished(Exchange x, boolean keepAlive) {
        if (exchange != x) {
            return;
        }
        exchange = null;
        if (closed) {
            return;
        }
        if (!keepAlive || server.draining()) {
            closed = true;
            ctx.close();
            return;
        }
        if (inputClosed && backlog.isEmpty()) {
            closed = true;
            ctx.close();
            return;
        }
        // pipelined messages first: they may start and even complete the next request
        while (!backlog.isEmpty() && (exchange == null || exchange.wantsRequestContent()) && !closed) {
            handle(backlog.poll());
        }
        if (closed) {
            return;
        }
        if (exchange == null) {
            if (headPending) {
                armHeaderTimer(); // part of the next head is already here
            } else {
                armIdle();
            }
            ctx.read();
        } else {
            exchange.clientReadComplete();
        }
    }

    /** Drain: closes the connection now if no request is in progress. */
    void closeIfIdle() {
        if (exchange == null && !closed) {
            closed = true;
            ctx.close();
        }
    }

    private void armIdle() {
        timers.disarm(ConnectionTimers.HEADER_READ);
        timers.arm(ConnectionTimers.IDLE, server.snapshot().config().timeouts().idle().toMillis());
    }

    private void cancelTimer() {
        timers.disarm(ConnectionTimers.IDLE);
        timers.disarm(ConnectionTimers.HEADER_READ);
    }

    private void idleTimeout() {
        if (exchange == null && !closed) {
            closed = true;
            ctx.close();
        }
    }

    private void headerTimeout() {
        if (exchange != null || closed) {
            return;
        }
        // answered and logged as any refused head is; the exchange closes the connection after it
        headPending = false;
        Exchange x = new Exchange(server, this, ctx, RequestHead.failed(408, "the request head did not arrive in time"),
                server.snapshot());
        exchange = x;
        x.start();
    }
}
