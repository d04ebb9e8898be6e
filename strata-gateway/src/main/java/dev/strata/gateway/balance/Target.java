package dev.strata.gateway.balance;

/**
 * What a balancing policy may read of an upstream endpoint. Implementations are thread-safe; values
 * may change between two calls and a policy must not assume otherwise.
 */
public interface Target {

    /** Stable identity of the endpoint, e.g. {@code 127.0.0.1:8081}; consistent hashing places it by this. */
    String id();

    /** Requests sent to this endpoint and not yet completed. */
    int inFlight();

    /** Latency estimate for peak-EWMA in nanoseconds; {@code 0} while nothing has been observed. */
    double latencyNanos();

    /**
     * Share of a full endpoint's traffic this endpoint should get now, in (0, 1]: below 1 while it
     * ramps up after (re)admission (slow start), 1 otherwise.
     */
    double weight();
}
