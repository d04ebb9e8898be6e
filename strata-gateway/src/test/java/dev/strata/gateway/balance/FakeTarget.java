package dev.strata.gateway.balance;

import java.util.ArrayList;
import java.util.List;

/** A target whose load, latency and weight a test sets. */
final class FakeTarget implements Target {

    private final String id;
    volatile int inFlight;
    volatile double latencyNanos;
    volatile double weight = 1.0;
    int picks;

    FakeTarget(String id) {
        this.id = id;
    }

    static List<FakeTarget> named(int count) {
        List<FakeTarget> targets = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            targets.add(new FakeTarget("10.0.0." + (i + 1) + ":8080"));
        }
        return targets;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public int inFlight() {
        return inFlight;
    }

    @Override
    public double latencyNanos() {
        return latencyNanos;
    }

    @Override
    public double weight() {
        return weight;
    }

    @Override
    public String toString() {
        return id;
    }
}
