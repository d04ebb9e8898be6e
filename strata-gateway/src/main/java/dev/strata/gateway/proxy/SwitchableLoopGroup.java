package dev.strata.gateway.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.AbstractEventExecutorGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.util.HashSet;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The gateway's event loops, as one group whose loops can be replaced by a new set. From
 * {@link #replace} on, whatever is registered through this group (a connection a listener accepts, a
 * health check, a new upstream pool) goes to the new loops; channels registered before stay on the
 * loop they have, which keeps the rule that a connection never changes threads. Listening sockets are
 * the exception: {@link #move} takes them over, so that the old loops end up serving only the
 * connections they had. The group it replaced is handed back, still running: its owner shuts it down
 * once those connections are gone.
 */
public final class SwitchableLoopGroup extends AbstractEventExecutorGroup implements EventLoopGroup {

    private volatile EventLoopGroup current;

    public SwitchableLoopGroup(EventLoopGroup first) {
        this.current = Objects.requireNonNull(first, "first");
    }

    public EventLoopGroup current() {
        return current;
    }

    /** Puts {@code next} in place and returns the group it replaces. */
    public synchronized EventLoopGroup replace(EventLoopGroup next) {
        EventLoopGroup previous = current;
        current = Objects.requireNonNull(next, "next");
        return previous;
    }

    /** The event loops of {@code loops}. */
    public static Set<EventLoop> members(EventLoopGroup loops) {
        Set<EventLoop> members = new HashSet<>();
        for (EventExecutor e : loops) {
            if (e instanceof EventLoop loop) {
                members.add(loop);
            }
        }
        return members;
    }

    /**
     * Moves {@code channel}, a listening socket, to one of {@code loops} unless it is on one already: it
     * is deregistered and registered again. The socket stays open all along; a connection that arrives
     * meanwhile waits in its backlog and is accepted on the new loop.
     */
    public static void move(Channel channel, EventLoopGroup loops) throws InterruptedException {
        if (!channel.isOpen() || members(loops).contains(channel.eventLoop())) {
            return;
        }
        channel.deregister().sync();
        loops.next().register(channel).sync();
    }

    @Override
    public EventLoop next() {
        return current.next();
    }

    @Override
    public Iterator<EventExecutor> iterator() {
        return current.iterator();
    }

    @Override
    public ChannelFuture register(Channel channel) {
        return current.register(channel);
    }

    @Override
    public ChannelFuture register(ChannelPromise promise) {
        return current.register(promise);
    }

    @Deprecated
    @Override
    public ChannelFuture register(Channel channel, ChannelPromise promise) {
        return current.register(channel, promise);
    }

    @Override
    public boolean isShuttingDown() {
        return current.isShuttingDown();
    }

    @Override
    public Future<?> shutdownGracefully(long quietPeriod, long timeout, TimeUnit unit) {
        return current.shutdownGracefully(quietPeriod, timeout, unit);
    }

    @Override
    public Future<?> terminationFuture() {
        return current.terminationFuture();
    }

    @Deprecated
    @Override
    public void shutdown() {
        current.shutdown();
    }

    @Override
    public boolean isShutdown() {
        return current.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return current.isTerminated();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return current.awaitTermination(timeout, unit);
    }
}
