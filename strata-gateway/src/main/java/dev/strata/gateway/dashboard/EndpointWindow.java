package dev.strata.gateway.dashboard;

import dev.strata.gateway.health.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.distribution.HistogramSnapshot;
import java.util.EnumMap;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * The last samples of one endpoint's meters ({@code strata.upstream.requests} by outcome and the
 * {@code strata.upstream.response.time} histogram), from which the dashboard tells its recent rate,
 * error share and latency percentiles: the difference between the newest sample and an older one.
 * Used by the sampling thread only.
 */
final class EndpointWindow {

    private final int size;
    private final long[] at;          // sample times, nanos
    private final long[] requests;    // cumulative requests at each sample
    private final long[] errors;      // cumulative failed requests (anything but a success)
    private final double[][] buckets; // cumulative count at or below each bound, at each sample
    private double[] bounds;          // the histogram's bucket bounds, milliseconds
    private int samples;              // samples taken so far
    private final EnumMap<Outcome, Counter> counters = new EnumMap<>(Outcome.class);
    private Timer timer;

    EndpointWindow(int size) {
        this.size = size;
        at = new long[size];
        requests = new long[size];
        errors = new long[size];
        buckets = new double[size][];
    }

    void sample(MeterRegistry registry, String group, String address, long now) {
        if (counters.size() < Outcome.values().length) {
            for (Outcome o : Outcome.values()) {
                Counter c = registry.find("strata.upstream.requests").tag("upstream", group).tag("endpoint", address)
                        .tag("outcome", o.name().toLowerCase(Locale.ROOT)).counter();
                if (c != null) {
                    counters.put(o, c);
                }
            }
        }
        if (timer == null) {
            timer = registry.find("strata.upstream.response.time").tag("upstream", group).tag("endpoint", address).timer();
        }
        long all = 0;
        long failed = 0;
        for (var e : counters.entrySet()) {
            long n = (long) e.getValue().count();
            all += n;
            if (e.getKey() != Outcome.SUCCESS) {
                failed += n;
            }
        }
        int slot = samples % size;
        at[slot] = now;
        requests[slot] = all;
        errors[slot] = failed;
        buckets[slot] = timer == null ? null : cumulative(timer.takeSnapshot());
        samples++;
    }

    private double[] cumulative(HistogramSnapshot snapshot) {
        CountAtBucket[] counts = snapshot.histogramCounts();
        if (bounds == null || bounds.length != counts.length) {
            bounds = new double[counts.length];
            for (int i = 0; i < counts.length; i++) {
                bounds[i] = counts[i].bucket(TimeUnit.NANOSECONDS) / 1e6;
            }
        }
        double[] c = new double[counts.length + 1];
        for (int i = 0; i < counts.length; i++) {
            c[i] = counts[i].count();
        }
        c[counts.length] = snapshot.count(); // every response, those above the last bound included
        return c;
    }

    /** Requests a second between the newest sample and the one {@code back} samples before it. */
    double rate(int back) {
        int b = older(back);
        if (b < 0) {
            return 0;
        }
        int n = newest();
        double seconds = (at[n] - at[b]) / 1e9;
        return seconds <= 0 ? 0 : (requests[n] - requests[b]) / seconds;
    }

    /** Requests over the last {@code back} samples. */
    long requests(int back) {
        int b = older(back);
        return b < 0 ? 0 : requests[newest()] - requests[b];
    }

    /** The share of failed requests over the last {@code back} samples; 0 without requests. */
    double errorRate(int back) {
        int b = older(back);
        if (b < 0) {
            return 0;
        }
        int n = newest();
        long all = requests[n] - requests[b];
        return all <= 0 ? 0 : (double) (errors[n] - errors[b]) / all;
    }

    /**
     * The {@code q} quantile of the response times over the last {@code back} samples, in milliseconds,
     * interpolated inside its bucket; {@code NaN} without responses.
     */
    double percentile(double q, int back) {
        int b = older(back);
        if (b < 0) {
            return Double.NaN;
        }
        double[] now = buckets[newest()];
        double[] then = buckets[b];
        if (now == null || then == null || now.length != then.length) {
            return Double.NaN;
        }
        int last = now.length - 1;
        double total = now[last] - then[last];
        if (total <= 0) {
            return Double.NaN;
        }
        double rank = q * total;
        double below = 0;
        for (int i = 0; i < last; i++) {
            double upTo = now[i] - then[i];
            if (upTo >= rank) {
                double lower = i == 0 ? 0 : bounds[i - 1];
                double inBucket = upTo - below;
                double fraction = inBucket <= 0 ? 1 : (rank - below) / inBucket;
                return lower + (bounds[i] - lower) * fraction;
            }
            below = upTo;
        }
        return bounds.length == 0 ? Double.NaN : bounds[bounds.length - 1];
    }

    private int newest() {
        return (samples - 1) % size;
    }

    /** The slot {@code back} samples before the newest, or the oldest kept; -1 with fewer than two samples. */
    private int older(int back) {
        if (samples < 2) {
            return -1;
        }
        int reach = Math.min(back, Math.min(samples, size) - 1);
        return (samples - 1 - reach) % size;
    }
}
