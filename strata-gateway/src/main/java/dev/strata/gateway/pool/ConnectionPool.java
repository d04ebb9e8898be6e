package dev.strata.gateway.pool;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;

/**
 * The upstream connections of one endpoint on one event loop.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Confinement.</b> One pool per (endpoint, event loop). Every method must be called on
 *   {@link #loop()}: the pool takes no locks, and a client channel always gets an upstream channel on
 *   its own event loop, so bytes pass between the two without a thread hand-off.</li>
 *   <li><b>Accounting.</b> {@code open} counts connecting, leased and idle connections. It grows when a
 *   connect starts and shrinks exactly once per connection, in the connection's close listener, so a
 *   connection lost in any state (while idle, leased or connecting) frees its slot.</li>
 *   <li><b>Idle connections</b> are reused most-recently-released first, which keeps the hot ones warm
 *   and lets the surplus age out; a sweep closes those idle for longer than {@code idle_timeout}. The
 *   upstream handler closes an idle connection on any byte or end-of-stream from the server (a read
 *   is kept pending while it is idle), so a server's keep-alive close is noticed at once.</li>
 *   <li><b>Limit.</b> At {@code max_per_event_loop} open connections, acquirers wait first-in
 *   first-out for a released connection, up to the connect timeout.</li>
 * </ul>
 */
public final class ConnectionPool {

    /** What the pool hands a connection to. */
    public interface Lease {
        /** A connection, fresh ({@code reused == false}) or from the idle list; on the pool's loop. */
        void acquired(Channel channel, boolean reused);

        /** No connection: connect failed or timed out, or the wait for a free slot ran out. */
        void failed(Throwable cause);
    }

    /** Why an acquire waited too long for a free slot. */
    public static final class PoolExhaustedException extends Exception {
        private static final long serialVersionUID = 1L;

        PoolExhaustedException(String message) {
            super(message, null, false, false);
        }
    }

    private static final AttributeKey<Conn> CONN = AttributeKey.valueOf(ConnectionPool.class, "conn");

    private final EventLoop loop;
    private final Bootstrap bootstrap;

    // all fields below: confined to loop
    private final ArrayDeque<Conn> idle = new ArrayDeque<>();
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    private int open;
    private boolean closed;
    private long idleTimeoutNanos = TimeUnit.SECONDS.toNanos(60);
    private ScheduledFuture<?> sweep;

    /**
     * @param template a bootstrap with channel type, options and handler set; cloned for this loop
     */
    public ConnectionPool(EventLoop loop, Bootstrap template, SocketAddress remote) {
        this.loop = loop;
        this.bootstrap = template.clone(loop).remoteAddress(remote);
    }

    public EventLoop loop() {
        return loop;
    }

    /** Connections open (connecting, leased or idle). */
    public int open() {
        return open;
    }

    public int idle() {
        return idle.size();
    }

    /**
     * Leases a connection. {@code lease} is called exactly once, possibly before this method returns.
     */
    public void acquire(Lease lease, int maxConnections, long connectTimeoutMillis, long idleTimeoutMillis) {
        assert loop.inEventLoop();
        if (maxConnections <= 0) {
            throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: > 0)");
        }
        idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(idleTimeoutMillis);
        Conn c;
        while ((c = idle.pollFirst()) != null) {
            c.idle = false;
            if (c.channel.isActive()) {
                lease.acquired(c.channel, true);
                return;
            }
            c.channel.close();
        }
        if (closed || open < maxConnections) {
            connect(lease, connectTimeoutMillis);
            return;
        }
        Waiter w = new Waiter(lease, connectTimeoutMillis);
        waiters.addLast(w);
        w.timer = loop.schedule(() -> {
            if (waiters.remove(w)) {
                w.lease.failed(new PoolExhaustedException("no free connection within " + connectTimeoutMillis + "ms"));
            }
        }, connectTimeoutMillis, TimeUnit.MILLISECONDS);
    }

    /**
     * Returns a leased connection. A {@code reusable} connection (its last response was complete and
     * allowed keep-alive) goes to a waiter or the idle list; any other is closed.
     */
    public void release(Channel channel, boolean reusable) {
        assert loop.inEventLoop();
        Conn c = channel.attr(CONN).get();
        if (!reusable || closed || c == null || !channel.isActive()) {
            channel.close();
            return;
        }
        Waiter w = waiters.pollFirst();
        if (w != null) {
            w.timer.cancel(false);
            w.lease.acquired(channel, true);
            return;
        }
        c.idle = true;
        c.idleSince = System.nanoTime();
        idle.addFirst(c);
        channel.read(); // notice a close by the server while idle
        if (sweep == null) {
            long period = Math.max(TimeUnit.NANOSECONDS.toMillis(idleTimeoutNanos) / 2, 100);
            sweep = loop.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
        }
    }

    /** Closes idle connections and makes later releases close theirs (the endpoint was removed). */
    public void close() {
        assert loop.inEventLoop();
        closed = true;
        Conn c;
        while ((c = idle.pollFirst()) != null) {
            c.channel.close();
        }
        if (sweep != null) {
            sweep.cancel(false);
            sweep = null;
        }
    }

    private void connect(Lease lease, long connectTimeoutMillis) {
        open++;
        bootstrap.option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(connectTimeoutMillis, Integer.MAX_VALUE));
        ChannelFuture f = bootstrap.connect();
        Channel ch = f.channel();
        Conn c = new Conn(ch);
        ch.attr(CONN).set(c);
        ch.closeFuture().addListener((ChannelFutureListener) cf -> closed(c));
        if (f.isDone()) {
            connected(f, lease);
        } else {
            f.addListener((ChannelFutureListener) cf -> connected(cf, lease));
        }
    }

    private void connected(ChannelFuture f, Lease lease) {
        if (f.isSuccess()) {
            lease.acquired(f.channel(), false);
            return;
        }
        Channel ch = f.channel();
        if (ch.isRegistered()) {
            ch.close();
        } else {
            closed(ch.attr(CONN).get()); // never registered: its close future may never complete
        }
        lease.failed(f.cause());
    }

    private void closed(Conn c) {
        if (c.gone) {
            return;
        }
        c.gone = true;
        open--;
        if (c.idle) {
            c.idle = false;
            idle.remove(c);
        }
        // a slot is free: the oldest waiter connects
        Waiter w = waiters.pollFirst();
        if (w != null) {
            w.timer.cancel(false);
            connect(w.lease, w.connectTimeoutMillis);
        }
    }

    private void sweep() {
        long now = System.nanoTime();
        Iterator<Conn> it = idle.descendingIterator();
        while (it.hasNext()) {
            Conn c = it.next();
            if (now - c.idleSince < idleTimeoutNanos) {
                break; // the rest were released later
            }
            it.remove();
            c.idle = false;
            c.channel.close();
        }
        if (idle.isEmpty() && sweep != null) {
            sweep.cancel(false);
            sweep = null;
        }
    }

    /** Per-connection bookkeeping, allocated once per connection. Confined to the loop. */
    private static final class Conn {
        final Channel channel;
        boolean idle;
        boolean gone;
        long idleSince;

        Conn(Channel channel) {
            this.channel = channel;
        }
    }

    private static final class Waiter {
        final Lease lease;
        final long connectTimeoutMillis;
        ScheduledFuture<?> timer;

        Waiter(Lease lease, long connectTimeoutMillis) {
            this.lease = lease;
            this.connectTimeoutMillis = connectTimeoutMillis;
        }
    }
}
