package dev.strata.gateway;

import dev.strata.gateway.admin.AdminServer;
import dev.strata.gateway.proxy.ProxyServer;
import dev.strata.gateway.proxy.SwitchableLoopGroup;
import dev.strata.gateway.proxy.Transport;
import io.netty.channel.EventLoopGroup;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's event loops across changes of {@code io_threads}: the group that the listeners, new
 * connections both ways, health checks and the admin API use ({@link SwitchableLoopGroup}), and the
 * groups a reload replaced, which go on serving the connections they have.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Retiring.</b> After a switch the listening sockets move to the new loops; a replaced group
 *   is shut down once no client connection is left on it (polled every {@value #RETIRE_POLL_MS} ms, from
 *   a virtual thread of its own), after the proxy closed what it keeps per loop there.</li>
 *   <li><b>A socket that cannot move</b> keeps the old loops running (and accepting), since shutting them
 *   down would close it; they stop with the gateway.</li>
 * </ul>
 * Threading: switched under the gateway's monitor (its reloads); the set of retiring groups is concurrent.
 */
final class EventLoops {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class); // the gateway's own lines
    private static final long RETIRE_POLL_MS = 100;

    private final Transport transport;
    private final SwitchableLoopGroup io;
    private final Set<EventLoopGroup> retiring = ConcurrentHashMap.newKeySet(); // replaced, serving what they had
    private final BooleanSupplier stopping;

    /** {@code threads} loops of {@code transport}; a replaced group is left to the stop once {@code stopping}. */
    EventLoops(Transport transport, int threads, BooleanSupplier stopping) {
        this.transport = transport;
        this.io = new SwitchableLoopGroup(transport.newGroup(threads, "strata-io"));
        this.stopping = stopping;
    }

    /** The group to register with: it hands out the current loops. */
    SwitchableLoopGroup group() {
        return io;
    }

    EventLoopGroup current() {
        return io.current();
    }

    /** Puts {@code threads} new loops in place for what is registered from now; returns the group they replace. */
    EventLoopGroup replace(int threads) {
        return io.replace(transport.newGroup(threads, "strata-io"));
    }

    /** Puts {@code replaced} back in place (a refused reload); returns the group made for the reload. */
    EventLoopGroup restore(EventLoopGroup replaced) {
        return io.replace(replaced);
    }

    /**
     * After an {@code io_threads} change to {@code threads}: the listening sockets of {@code proxy} and
     * {@code admin} go to the new loops, and {@code old} is retired (see the design notes).
     */
    void moveListenersAndRetire(EventLoopGroup old, int threads, ProxyServer proxy, AdminServer admin) {
        try {
            proxy.moveListeners(io.current());
            admin.moveTo(io.current());
        } catch (InterruptedException | RuntimeException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            log.warn("io_threads {}: a listening socket stays on the replaced event loops, which keep running: {}",
                    threads, e.toString());
            retiring.add(old); // never retired, but stopped with the gateway
            return;
        }
        log.info("io_threads {}: the listeners and new connections are on {} event loop(s) now; the replaced ones "
                + "stop once the {} connections they serve have closed", threads, threads, proxy.connectionsOn(old));
        retire(old, proxy);
    }

    /**
     * Shuts {@code loops} down once no client connection is left on them (accepted connections are
     * handed to their loop a moment after the switch, hence the first wait), after closing what the
     * proxy keeps per loop there. A stop closes them with the rest.
     */
    private void retire(EventLoopGroup loops, ProxyServer proxy) {
        retiring.add(loops);
        Thread.ofVirtual().name("strata-io-retire").start(() -> {
            try {
                do {
                    Thread.sleep(RETIRE_POLL_MS);
                } while (!stopping.getAsBoolean() && proxy.connectionsOn(loops) > 0);
                if (!stopping.getAsBoolean()) {
                    proxy.forgetLoops(loops);
                    loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5000);
                    log.info("retired event loops: every connection they served has closed");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                retiring.remove(loops);
            }
        });
    }

    /** Groups of event loops a reload replaced that still serve connections. */
    int retiringGroups() {
        return retiring.size();
    }

    /** Client connections of {@code proxy} on the event loops a reload replaced. */
    int connectionsOnRetiring(ProxyServer proxy) {
        return retiring.stream().mapToInt(proxy::connectionsOn).sum();
    }

    /** Stops every loop, the retiring ones too. */
    void shutdown() {
        retiring.forEach(loops -> loops.shutdownGracefully(0, 2, TimeUnit.SECONDS));
        io.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5000);
        retiring.forEach(loops -> loops.terminationFuture().awaitUninterruptibly(5000));
    }
}
