package dev.strata.gateway.metrics;

import dev.strata.gateway.health.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.ToDoubleFunction;

/**
 * The gateway's meters, exported in Prometheus text as {@code strata_*}. Meters are looked up once
 * and cached per route, status and endpoint, so recording a request allocates nothing.
 */
public final class GatewayMetrics {

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final AtomicInteger inFlight = new AtomicInteger();
    private final ConcurrentHashMap<String, RouteMeters> routes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, EndpointMeters> endpoints = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> retries = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> nodeNames = new ConcurrentHashMap<>(); // address -> name
    private final Counter rejectedConnections;
    private final Counter accessLogDropped;
    private final Duration statisticsWindow;

    public GatewayMetrics() {
        this(null);
    }

    /**
     * Meters whose time-windowed statistic (the latency maximum) turns over within {@code statisticsWindow}
     * rather than Micrometer's two minutes ({@code null}: those two minutes). The warm-up uses a short
     * window, so that the turnover's code has run before real traffic meets it.
     */
    public GatewayMetrics(Duration statisticsWindow) {
        this.statisticsWindow = statisticsWindow;
        Gauge.builder("strata.requests.in.flight", inFlight, AtomicInteger::get)
                .description("Client requests being served").register(registry);
        rejectedConnections = Counter.builder("strata.connections.rejected")
                .description("Client connections closed at accept because max_connections was reached").register(registry);
        accessLogDropped = Counter.builder("strata.access.log.dropped")
                .description("Access log lines dropped because the writer fell behind").register(registry);
    }

    public MeterRegistry registry() {
        return registry;
    }

    /** The Prometheus text exposition. */
    public String scrape() {
        return registry.scrape();
    }

    public void requestStarted() {
        inFlight.incrementAndGet();
    }

    /** A client request ended with {@code status} (0 when no response was sent). */
    public void requestFinished(String route, int status, long durationNanos) {
        inFlight.decrementAndGet();
        RouteMeters m = routes.get(route);
        if (m == null) {
            m = routeMeters(route);
        }
        m.count(registry, status);
        m.latency.record(durationNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * A request to {@code endpoint} ended with {@code outcome}; {@code firstByteNanos} is how long its
     * response head took (-1 when none came).
     */
    public void upstreamRequest(String group, String endpoint, Outcome outcome, long firstByteNanos) {
        EndpointMeters m = endpoints.get(endpoint);
        if (m == null) {
            m = endpointMeters(group, endpoint);
        }
        m.outcomes.get(outcome).increment();
        if (firstByteNanos >= 0) {
            m.firstByte.record(firstByteNanos, TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Registers the meters of the routes named and of each group's endpoints ahead of their first
     * request: the series exist from the start, and the request path never meets a missing one (which
     * made its compiled code start over on the first request after the warm-up).
     */
    public void prepare(Iterable<String> routeNames, Map<String, ? extends Iterable<String>> endpointsByGroup) {
        routeNames.forEach(this::routeMeters);
        endpointsByGroup.forEach((group, ids) -> ids.forEach(id -> endpointMeters(group, id)));
    }

    /**
     * The node names of endpoints ({@code host:port -> name}), which their meters carry as the
     * {@code node} tag beside the address; an endpoint without a name is tagged with its address. A
     * meter keeps the name it had when it was first registered.
     */
    public void nodeNames(Map<String, String> namesByAddress) {
        nodeNames.putAll(namesByAddress);
    }

    private String node(String endpoint) {
        return nodeNames.getOrDefault(endpoint, endpoint);
    }

    private RouteMeters routeMeters(String route) {
        return routes.computeIfAbsent(route, r -> new RouteMeters(registry, r, statisticsWindow));
    }

    private EndpointMeters endpointMeters(String group, String endpoint) {
        return endpoints.computeIfAbsent(endpoint, e -> {
            EnumMap<Outcome, Counter> map = new EnumMap<>(Outcome.class);
            for (Outcome o : Outcome.values()) {
                map.put(o, Counter.builder("strata.upstream.requests")
                        .description("Requests sent to upstream endpoints, by outcome")
                        .tag("upstream", group).tag("endpoint", e).tag("node", node(e))
                        .tag("outcome", o.name().toLowerCase(java.util.Locale.ROOT)).register(registry));
            }
            Timer.Builder firstByte = Timer.builder("strata.upstream.response.time")
                    .description("Time from sending a request to an endpoint to its response head")
                    .tag("upstream", group).tag("endpoint", e).tag("node", node(e))
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(120));
            if (statisticsWindow != null) {
                firstByte.distributionStatisticExpiry(statisticsWindow);
            }
            return new EndpointMeters(map, firstByte.register(registry));
        });
    }

    /** One endpoint's meters: its requests by outcome and the time its responses take to start. */
    private record EndpointMeters(EnumMap<Outcome, Counter> outcomes, Timer firstByte) {}

    public void retry(String group) {
        Counter c = retries.get(group);
        if (c == null) {
            c = retries.computeIfAbsent(group, g -> Counter.builder("strata.upstream.retries")
                    .description("Requests retried on another endpoint").tag("upstream", g).register(registry));
        }
        c.increment();
    }

    public void connectionRejected() {
        rejectedConnections.increment();
    }

    public void accessLogDropped() {
        accessLogDropped.increment();
    }

    /** Registers the group's ejection counter unless a previous configuration generation did. */
    public <T> void ejections(String group, T source, ToDoubleFunction<T> total) {
        if (registry.find("strata.upstream.ejections").tag("upstream", group).meter() == null) {
            FunctionCounter.builder("strata.upstream.ejections", source, total)
                    .description("Outlier ejections so far").tag("upstream", group).register(registry);
        }
    }

    /** Registers a per-endpoint gauge, described by {@code help}, unless a previous configuration generation did. */
    public <T> void endpointGauge(String name, String help, String group, String endpoint, T source,
                                  ToDoubleFunction<T> value) {
        if (registry.find(name).tag("upstream", group).tag("endpoint", endpoint).meter() == null) {
            Gauge.builder(name, source, value).description(help).tag("upstream", group).tag("endpoint", endpoint)
                    .tag("node", node(endpoint)).register(registry);
        }
    }

    private static final class RouteMeters {
        final String route;
        final AtomicReferenceArray<Counter> byStatus = new AtomicReferenceArray<>(600);
        final Timer latency;

        RouteMeters(MeterRegistry registry, String route, Duration statisticsWindow) {
            this.route = route;
            Timer.Builder latency = Timer.builder("strata.request.duration")
                    .description("Time from a request's first byte to its response's last byte")
                    .tag("route", route)
                    .publishPercentileHistogram()
                    .minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofSeconds(120));
            if (statisticsWindow != null) {
                latency.distributionStatisticExpiry(statisticsWindow);
            }
            this.latency = latency.register(registry);
        }

        void count(MeterRegistry registry, int status) {
            int s = status >= 0 && status < 600 ? status : 0;
            Counter c = byStatus.get(s);
            if (c == null) {
                c = Counter.builder("strata.requests").description("Client requests by route and status")
                        .tag("route", route).tag("status", Integer.toString(s)).register(registry);
                byStatus.set(s, c);
            }
            c.increment();
        }
    }
}
