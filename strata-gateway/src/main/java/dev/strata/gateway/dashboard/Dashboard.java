package dev.strata.gateway.dashboard;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.gateway.admin.AdminReply;
import dev.strata.gateway.admin.AdminResource;
import dev.strata.gateway.health.HealthState;
import dev.strata.gateway.proxy.ProxyServer;
import dev.strata.gateway.upstream.Endpoint;
import dev.strata.gateway.upstream.UpstreamGroup;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live dashboard: the page at {@code /_strata/} and the data it polls,
 * {@code /_strata/dashboard.json}.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Off the request path.</b> One thread samples every {@link #SAMPLE_MS} ms what the gateway
 *   already keeps (each endpoint's health, in-flight count and meters, the topology file) and builds
 *   the JSON once; a poll is served the latest bytes. Requests are never touched, however many
 *   pages watch, and a slow file system delays a sample, never an event loop. The full rate is kept
 *   while a page polls (for {@link #WATCHED_MS} ms after each poll); unwatched, one sample every
 *   {@link #IDLE_SAMPLE_MS} ms keeps the events that only a comparison finds, at a cost a busy gateway
 *   does not notice. The first poll after a quiet spell gets the last sample and wakes the sampler.</li>
 *   <li><b>Events.</b> An endpoint's health tells the {@link EventRing} of ejections and of checks
 *   that take it out or let it back in as they happen ({@link
 *   dev.strata.gateway.health.EndpointHealth.Transitions}, watched from the first sample that sees
 *   the endpoint); the gateway records reloads as they happen. What has no moment of its own is
 *   found by comparing samples: an ejection that ran out, an endpoint a reload removed, a topology
 *   node whose pid changed (restarted) or died, an endpoint whose checks began or ceased to report a
 *   degraded mode ({@code Strata-Degraded}: a links node whose database is read-only).</li>
 *   <li><b>Draining.</b> An endpoint that a reload removed from its group while requests were still
 *   in flight to it is shown as {@code draining} until the last of them ends.</li>
 *   <li><b>Panels.</b> A feature's {@link AdminResource} that names a {@link AdminResource#panel()} is
 *   listed in the data; the page polls it and draws its JSON, so a feature adds a panel without a
 *   change to the page.</li>
 * </ul>
 */
public final class Dashboard implements AutoCloseable {

    static final long SAMPLE_MS = 500;
    /** How long after a poll the dashboard counts as watched. */
    static final long WATCHED_MS = 10_000;
    /** The sampling interval while nobody watches. */
    static final long IDLE_SAMPLE_MS = 5_000;
    /** Samples kept per endpoint: ten seconds of history. */
    static final int WINDOW = 21;
    /** Samples a rate is taken over (one second). */
    static final int RATE_SAMPLES = 2;
    static final int EVENTS_SHOWN = 50;

    private static final Logger log = LoggerFactory.getLogger(Dashboard.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProxyServer proxy;
    private final EventRing events;
    private final String gatewayName;
    private final long startedAt = System.currentTimeMillis();
    private final ScheduledExecutorService sampler;
    private final Map<Endpoint, Track> tracks = new IdentityHashMap<>(); // sampler thread only
    private final Map<String, Observed> nodes = new HashMap<>();          // sampler thread only
    private final Map<String, AdminResource> resources;
    private volatile Topology topology;
    private volatile byte[] latest;
    private volatile long watchedUntil = System.nanoTime(); // nanoTime until which a page counts as watching
    private long sampledAt;                                  // sampler thread only
    private Counter[] clientRequests = new Counter[0];
    private long clientRequestsSeen = -1;
    private double clientRate;
    private long clientSampledAt;

    /** One endpoint as the sampler follows it. */
    private static final class Track {
        final EndpointWindow window = new EndpointWindow(WINDOW);
        String group;
        String state;
        String degraded;
        boolean present;
    }

    /** One topology node as the last sample saw it. */
    private record Observed(long pid, boolean alive) {}

    public Dashboard(ProxyServer proxy, String gatewayName, DashboardConfig config, EventRing events) {
        this.proxy = proxy;
        this.gatewayName = gatewayName;
        this.events = events;
        reconfigure(config);
        this.resources = resources();
        this.latest = build(System.nanoTime());
        this.sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "strata-dashboard");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleWithFixedDelay(this::sampleSafely, 0, SAMPLE_MS, TimeUnit.MILLISECONDS);
    }

    /** A reloaded {@code admin.dashboard}: the topology file may have changed. */
    public void reconfigure(DashboardConfig config) {
        Topology current = topology;
        String wanted = config.topology();
        if (wanted.isEmpty()) {
            topology = null;
        } else if (current == null || !current.file().equals(Path.of(wanted))) {
            topology = new Topology(Path.of(wanted));
        }
    }

    /** The page, its script and style, and its data, by path. */
    public Map<String, AdminResource> adminResources() {
        return resources;
    }

    private Map<String, AdminResource> resources() {
        AdminReply page = StaticAsset.read("index.html", "text/html; charset=utf-8");
        AdminReply script = StaticAsset.read("dashboard.js", "text/javascript; charset=utf-8");
        AdminReply style = StaticAsset.read("dashboard.css", "text/css; charset=utf-8");
        Map<String, AdminResource> r = new LinkedHashMap<>();
        for (AdminResource a : List.of(
                AdminResource.get("/_strata/", request -> page),
                AdminResource.get("/_strata", request -> page),
                AdminResource.get("/_strata/dashboard.js", request -> script),
                AdminResource.get("/_strata/dashboard.css", request -> style),
                AdminResource.get("/_strata/dashboard.json", request -> new AdminReply(200, "application/json", watched())))) {
            r.put(a.path(), a);
        }
        return Map.copyOf(r);
    }

    /** The latest sample, for a poll: the sampler keeps its full rate from now on, and samples at once after a quiet spell. */
    private byte[] watched() {
        long now = System.nanoTime();
        boolean wasIdle = now - watchedUntil > 0;
        watchedUntil = now + TimeUnit.MILLISECONDS.toNanos(WATCHED_MS);
        if (wasIdle) {
            try {
                sampler.execute(this::sampleSafely);
            } catch (java.util.concurrent.RejectedExecutionException closing) {
                // the gateway is closing: the last sample stands
            }
        }
        return latest;
    }

    private void sampleSafely() {
        long now = System.nanoTime();
        if (now - watchedUntil > 0 && now - sampledAt < TimeUnit.MILLISECONDS.toNanos(IDLE_SAMPLE_MS)) {
            return; // nobody watches: the idle rate is enough
        }
        try {
            sampledAt = now;
            latest = build(now);
        } catch (RuntimeException e) {
            log.warn("dashboard sample failed", e);
        }
    }

    /** Takes one sample and returns the data as the page reads it. */
    private byte[] build(long now) {
        ObjectNode root = JSON.createObjectNode();
        root.put("time", System.currentTimeMillis());
        root.put("sample_ms", SAMPLE_MS);
        Topology.View view = topologyView();
        Map<String, Topology.Node> byName = new HashMap<>();
        view.nodes().forEach(n -> byName.put(n.name(), n));

        ObjectNode gw = root.putObject("gateway");
        gw.put("name", gatewayName);
        gw.put("state", proxy.draining() ? "draining" : "serving");
        gw.put("started_at", startedAt);
        gw.put("in_flight", inFlight(proxy.metrics().registry()));
        gw.put("rps", round(clientRate(proxy.metrics().registry(), now), 1));

        ArrayNode groups = root.putArray("upstreams");
        for (Track t : tracks.values()) {
            t.present = false;
        }
        List<UpstreamGroup> sorted = new ArrayList<>(proxy.snapshot().upstreams().groups());
        sorted.sort(Comparator.comparing(UpstreamGroup::name));
        Map<String, ArrayNode> endpointLists = new HashMap<>();
        for (UpstreamGroup g : sorted) {
            ObjectNode gn = groups.addObject();
            gn.put("name", g.name());
            gn.put("policy", g.config().balance().policy());
            gn.put("panic", g.panicking());
            ArrayNode eps = gn.putArray("endpoints");
            endpointLists.put(g.name(), eps);
            for (Endpoint e : g.endpoints()) {
                Track t = tracks.computeIfAbsent(e, this::follow);
                t.group = g.name();
                t.present = true;
                endpoint(eps, e, t, byName.get(e.name()), now, false);
            }
        }
        var it = tracks.entrySet().iterator();
        while (it.hasNext()) { // endpoints a reload removed: draining while requests to them are in flight
            var entry = it.next();
            Track t = entry.getValue();
            if (t.present) {
                continue;
            }
            Endpoint e = entry.getKey();
            ArrayNode eps = endpointLists.get(t.group);
            if (e.inFlight() > 0 && eps != null) {
                endpoint(eps, e, t, byName.get(e.name()), now, true);
            } else {
                e.health().watch(null);
                it.remove();
            }
        }

        ObjectNode topo = root.putObject("topology");
        Topology tp = topology;
        topo.put("source", tp == null ? null : tp.file().toString());
        if (view.problem() != null) {
            topo.put("problem", view.problem());
        }
        ArrayNode tn = topo.putArray("nodes");
        for (Topology.Node n : view.nodes()) {
            boolean alive = n.alive();
            ObjectNode o = tn.addObject();
            o.put("name", n.name());
            o.put("role", n.role());
            o.put("url", n.url());
            if (!n.adminUrl().isEmpty()) {
                o.put("admin_url", n.adminUrl());
            }
            o.put("pid", n.pid());
            o.put("state", alive ? "up" : "down");
            observe(n, alive);
        }
        if (tp == null) {
            nodes.clear();
        }

        ArrayNode ev = root.putArray("events");
        for (EventRing.Event e : events.latest(EVENTS_SHOWN)) {
            ObjectNode o = ev.addObject();
            o.put("seq", e.sequence());
            o.put("time", e.epochMillis());
            o.put("kind", e.kind());
            o.put("subject", e.subject());
            o.put("detail", e.detail());
        }

        ArrayNode panels = root.putArray("panels");
        proxy.adminResources().values().stream()
                .filter(r -> r.panel() != null && r.methods().contains("GET"))
                .sorted(Comparator.comparing(AdminResource::path))
                .forEach(r -> panels.addObject().put("title", r.panel()).put("source", r.path()));
        return root.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private Topology.View topologyView() {
        Topology tp = topology;
        return tp == null ? new Topology.View(List.of(), null) : tp.read();
    }

    private void endpoint(ArrayNode eps, Endpoint e, Track t, Topology.Node node, long now, boolean draining) {
        MeterRegistry registry = proxy.metrics().registry();
        t.window.sample(registry, t.group, e.id(), now);
        HealthState health = e.health().state();
        double weight = e.health().weight();
        boolean processDead = node != null && !node.alive();
        String state = processDead ? "down"
                : draining ? "draining"
                : switch (health) {
                    case UNHEALTHY -> "unhealthy";
                    case EJECTED -> "ejected";
                    case HEALTHY -> weight < 1 ? "slow_start" : "healthy";
                };
        int ejections = e.health().ejections();
        if (t.state != null && !t.state.equals(state)) {
            transition(e.name(), t.state, state);
        }
        t.state = state;
        String degraded = e.degraded();
        if (!java.util.Objects.equals(t.degraded, degraded)) {
            if (degraded != null) {
                events.record("degraded", e.name(), "serves degraded: " + degraded);
            } else {
                events.record("restored", e.name(), "no longer degraded (was: " + t.degraded + ")");
            }
            t.degraded = degraded;
        }

        ObjectNode o = eps.addObject();
        o.put("name", e.name());
        o.put("address", e.id());
        o.put("state", state);
        o.put("health", health.name().toLowerCase(Locale.ROOT));
        o.put("weight", round(weight, 2));
        o.put("in_flight", e.inFlight());
        o.put("connections", e.openConnections());
        o.put("ejections", ejections);
        if (degraded != null) {
            o.put("degraded", degraded);
        }
        o.put("rps", round(t.window.rate(RATE_SAMPLES), 1));
        o.put("requests_10s", t.window.requests(WINDOW - 1));
        o.put("error_rate", round(t.window.errorRate(WINDOW - 1), 4));
        ObjectNode lat = o.putObject("latency_ms");
        for (double q : new double[] {0.5, 0.9, 0.99}) {
            double v = t.window.percentile(q, WINDOW - 1);
            String key = "p" + (int) Math.round(q * 100);
            if (Double.isNaN(v)) {
                lat.putNull(key);
            } else {
                lat.put(key, round(v, 2));
            }
        }
        if (node != null) {
            o.put("pid", node.pid());
        }
    }

    /**
     * Starts following an endpoint: its health tells the ring of ejections and of checks that take it
     * out or let it back in as they happen (constant texts: nothing is allocated on the thread that ejects).
     */
    private Track follow(Endpoint e) {
        e.health().watch(new dev.strata.gateway.health.EndpointHealth.Transitions() {
            @Override
            public void ejected(int inARow) {
                events.record("ejected", e.name(), inARow == 1 ? "ejected by outlier detection"
                        : "ejected by outlier detection again, for longer");
            }

            @Override
            public void failedChecks() {
                events.record("down", e.name(), "failed its health checks");
            }

            @Override
            public void passedChecks() {
                events.record("returned", e.name(), "passed its health checks");
            }
        });
        return new Track();
    }

    /**
     * The events only a comparison of samples sees: an ejection that ran out (a deadline, not a call),
     * and an endpoint a reload removed. Ejections and checks are told by the health itself (see
     * {@link #follow}); a node whose process is gone by the topology (see {@link #observe}).
     */
    private void transition(String subject, String from, String to) {
        if (to.equals("draining")) {
            events.record("draining", subject, "removed by a reload; finishing its requests");
        } else if (from.equals("ejected") && (to.equals("healthy") || to.equals("slow_start"))) {
            events.record("returned", subject, "its ejection ran out" + (to.equals("slow_start") ? "; ramping up" : ""));
        }
    }

    private void observe(Topology.Node n, boolean alive) {
        Observed before = nodes.put(n.name(), new Observed(n.pid(), alive));
        if (before == null) {
            return;
        }
        if (before.pid() != n.pid()) {
            events.record("restarted", n.name(), "restarted (pid " + before.pid() + " -> " + n.pid() + ")");
        } else if (before.alive() && !alive) {
            events.record("down", n.name(), "process " + n.pid() + " is gone");
        } else if (!before.alive() && alive) {
            events.record("returned", n.name(), "process " + n.pid() + " runs again");
        }
    }

    private static double inFlight(MeterRegistry registry) {
        Gauge g = registry.find("strata.requests.in.flight").gauge();
        return g == null ? 0 : g.value();
    }

    /** Client requests a second, over all routes, since the previous sample. */
    private double clientRate(MeterRegistry registry, long now) {
        var found = registry.find("strata.requests").counters();
        if (found.size() != clientRequests.length) {
            clientRequests = found.toArray(new Counter[0]);
        }
        long total = 0;
        for (Counter c : clientRequests) {
            total += (long) c.count();
        }
        if (clientRequestsSeen >= 0 && now > clientSampledAt) {
            clientRate = Math.max(0, total - clientRequestsSeen) / ((now - clientSampledAt) / 1e9);
        }
        clientRequestsSeen = total;
        clientSampledAt = now;
        return clientRate;
    }

    private static double round(double v, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(v * scale) / scale;
    }

    @Override
    public void close() {
        sampler.shutdownNow();
        try {
            sampler.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        tracks.keySet().forEach(e -> e.health().watch(null));
    }
}
