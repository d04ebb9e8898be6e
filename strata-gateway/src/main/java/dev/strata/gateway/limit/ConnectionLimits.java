package dev.strata.gateway.limit;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/*
 * Design notes
 *
 * Open connections per address are exact: one counter per address with an open connection, taken at
 * accept and given back at close, removed at zero, so the map holds at most as many entries as there
 * are open connections (bounded by limits.max_connections). New connections per second per address are
 * a GCRA limit (burst: one second's worth) on a LocalStore, bounded like the request limiter's (an
 * address forgotten at the bound starts with a whole second again). Addresses of trusted proxies are
 * exempt: behind a proxy every client shares its address.
 */
/**
 * The connection-level defence, checked at accept and per request: at most {@code perAddress} open
 * connections per client address, at most {@code newPerSecond} new connections a second per address,
 * and at most {@code requestsPerConnection} requests on one connection (the last one's response says
 * {@code Connection: close}). A limit of 0 is off. Thread-safe; accept runs on any event loop.
 */
public final class ConnectionLimits {

    /** A connection's hold on its address's count, given back once when it closes. */
    public interface Lease {
        void release();
    }

    private static final Lease NONE = () -> {};
    private static final int MAX_ADDRESSES = 100_000;

    private final ConcurrentHashMap<InetAddress, AtomicInteger> open = new ConcurrentHashMap<>();
    private final LocalStore newConnections;
    private final Counter refusedOpen;
    private final Counter refusedRate;

    public ConnectionLimits(MeterRegistry meters) {
        this(meters, System::nanoTime);
    }

    ConnectionLimits(MeterRegistry meters, LongSupplier clock) {
        this.newConnections = new LocalStore(MAX_ADDRESSES, clock);
        this.refusedOpen = Counter.builder("strata.ratelimit.connections.refused").tag("limit", "per_address")
                .description("Connections closed at accept by a per-address limit").register(meters);
        this.refusedRate = Counter.builder("strata.ratelimit.connections.refused").tag("limit", "new_per_second")
                .description("Connections closed at accept by a per-address limit").register(meters);
    }

    /**
     * Admits a new connection from {@code address} or refuses it ({@code null}: close it at once).
     *
     * @param perAddress   limits.max_connections_per_address (0: none)
     * @param newPerSecond limits.max_new_connections_per_address, a second (0: none)
     * @param exempt       addresses no per-address limit applies to (trusted proxies)
     */
    public Lease admit(InetAddress address, int perAddress, int newPerSecond, Predicate<InetAddress> exempt) {
        if (address == null || (perAddress == 0 && newPerSecond == 0) || exempt.test(address)) {
            return NONE;
        }
        if (newPerSecond > 0) {
            Limit rate = Limit.of("connections", newPerSecond, 1, newPerSecond);
            if (!newConnections.now(address.getHostAddress(), rate).allowed()) {
                refusedRate.increment();
                return null;
            }
        }
        if (perAddress == 0) {
            return NONE;
        }
        AtomicInteger[] held = new AtomicInteger[1];
        open.compute(address, (a, count) -> {
            AtomicInteger c = count == null ? new AtomicInteger() : count;
            if (c.get() < perAddress) {
                c.incrementAndGet();
                held[0] = c;
            }
            return c.get() == 0 ? null : c;
        });
        if (held[0] == null) {
            refusedOpen.increment();
            return null;
        }
        return () -> open.computeIfPresent(address, (a, c) -> c.decrementAndGet() == 0 ? null : c);
    }

    /** Whether request number {@code n} (1 for the first) of a connection must be its last. */
    public static boolean lastRequest(long n, int requestsPerConnection) {
        return requestsPerConnection > 0 && n >= requestsPerConnection;
    }

    /** Addresses with an open connection counted now (tests). */
    int addresses() {
        return open.size();
    }
}
