package dev.strata.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./strata up --stage 4} under a steady read load through the gateway: a kill -9 of a replica
 * fails no read, and the replica the supervisor restarts resumes through its slot and serves again
 * only within {@code max_lag}; a kill -9 of the primary's server turns writes into fast 503s with
 * {@code Retry-After} while the replicas serve every read (read-only in {@code /readyz} and on the
 * gateway's dashboard), and writes succeed again once the supervisor has restarted it. Stopping
 * leaves no process behind. Replica 2 replays a second late ({@code --replica-delay 2=1s}), within
 * {@code max_lag}.
 */
class UpStage4FaultsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * {@code data.pool.connection_timeout} below: the longest a write waits for the primary's pool (in
     * the moment before a poll has seen the primary gone, or while the pool reconnects to it).
     */
    private static final Duration CONNECTION_TIMEOUT = Duration.ofMillis(500);
    /** No write may wait longer than this: the pool's connection timeout, plus 1.5 s for the gateway, the node and a busy machine. */
    private static final Duration WRITE_BOUND = CONNECTION_TIMEOUT.plusMillis(1500);
    /** {@code data.routing}'s defaults: a replica serves reads only within these of the primary. */
    private static final long MAX_LAG_BYTES = 16L << 20;
    private static final long MAX_LAG_MS = 5_000;
    private static final Duration PATIENCE = Duration.ofMinutes(3);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    @Test
    void killMinusNineOfAReplicaThenOfThePrimaryUnderReadLoad() throws Exception {
        String yaml = StrataProcess.upSection(dir, 4, 3).replace("restart: false", "restart: true")
                + """
                data:
                  pool: {connection_timeout: %dms}
                gateway:
                  upstreams:
                    app:
                      health: {active: {interval: 250ms}}
                """.formatted(CONNECTION_TIMEOUT.toMillis());
        try (StrataProcess up = StrataProcess.up(dir, yaml, "--stage", "4", "--replicas", "2", "--nodes", "2",
                "--replica-delay", "2=1s")) {
            JsonNode topology = up.awaitTopology(Duration.ofMinutes(5));
            assertThat(ask(topology, "postgres-replica-1", "SHOW recovery_min_apply_delay")).isEqualTo("0");
            assertThat(ask(topology, "postgres-replica-2", "SHOW recovery_min_apply_delay")).as("its own delay").isEqualTo("1s");
            Set<ProcessHandle> processes = new HashSet<>(StrataProcess.processesOf(topology));
            String base = StrataProcess.node(topology, "gateway").get("url").asText();
            String admin = StrataProcess.node(topology, "gateway").get("admin_url").asText();
            List<String> links = List.of(StrataProcess.node(topology, "links-1").get("url").asText(),
                    StrataProcess.node(topology, "links-2").get("url").asText());

            List<String> codes = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                HttpResponse<String> created = create(base, "https://example.org/faults/" + i);
                assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
                codes.add(JSON.readTree(created.body()).get("code").asText());
            }
            // a read without a token may be up to max_lag old: the load starts once both replicas have the links
            // asked on the primary itself: a links node's polled position may predate the last write
            long written = lsn(ask(topology, "postgres-primary", "SELECT pg_current_wal_lsn()::text"));
            await("both replicas have the links and serve on every links node", () -> links.stream().allMatch(l -> {
                JsonNode view = db(l);
                return List.of("replica-1", "replica-2").stream().allMatch(r ->
                        "healthy".equals(dbNode(view, r).path("state").asText())
                                && lsn(dbNode(view, r).path("position").asText()) >= written);
            }));

            try (ReadLoad load = new ReadLoad(base, codes)) {
                load.awaitServed(200);

                // ---- kill -9 of replica 1: its node's JVM and its PostgreSQL server at once
                long replicaNode = StrataProcess.node(topology, "postgres-replica-1").get("pid").asLong();
                kill(replicaNode, postmasterOf(replicaNode));
                for (int i = 0; i < 5; i++) { // written while it is down: its slot keeps them for it
                    assertThat(create(base, "https://example.org/while-replica-down/" + i).statusCode()).isEqualTo(201);
                }
                List<String> outOfBounds = new ArrayList<>();
                AtomicBoolean seenOut = new AtomicBoolean();
                await("the restarted replica 1 back in rotation on every links node", () -> {
                    boolean back = true;
                    for (String l : links) {
                        JsonNode r = dbNode(db(l), "replica-1");
                        String state = r.path("state").asText();
                        if (!state.equals("healthy")) {
                            seenOut.set(true);
                            back = false;
                        } else if (r.path("lag_bytes").asLong() > MAX_LAG_BYTES || r.path("lag_ms").asLong() > MAX_LAG_MS) {
                            outOfBounds.add(l + ": " + r);
                        }
                    }
                    return back && seenOut.get() && restarted(up, "postgres-replica-1", replicaNode);
                });
                assertThat(outOfBounds).as("in rotation only within max_lag").isEmpty();
                assertThat(up.log("postgres-replica-1")).as("it caught up through its slot")
                        .contains("resuming from its replication slot");
                long before = replicaQueries(links);
                await("replica 1 serves reads again", () -> replicaQueries(links) > before + 100);
                assertThat(load.failures()).as(() -> "failed reads after the replica's kill: " + load.failures() + "; logs:\n"
                        + logs(up, "gateway", "links-1", "links-2")).isEmpty();

                // ---- kill -9 of the primary's PostgreSQL server: its node exits, the supervisor restarts it
                long primaryNode = StrataProcess.node(up.topology(), "postgres-primary").get("pid").asLong();
                try (Writes writes = new Writes(base)) {
                    writes.awaitCreated(3);
                    int servedBefore = load.served();
                    kill(postmasterOf(primaryNode));
                    AtomicBoolean readOnly = new AtomicBoolean();
                    AtomicBoolean degradedShown = new AtomicBoolean();
                    await("the read-only mode, on /readyz and on the dashboard", () -> {
                        if (links.stream().anyMatch(l -> "read-only".equals(ready(l).path("database").asText()))) {
                            readOnly.set(true);
                        }
                        if (dashboard(admin).findValuesAsText("degraded").contains("database read-only")) {
                            degradedShown.set(true);
                        }
                        return readOnly.get() && degradedShown.get();
                    });
                    assertThat(writes.refused()).as("writes answered 503 while the primary is down").isPositive();
                    int servedWhileDown = load.served() - servedBefore;
                    assertThat(servedWhileDown).as("reads served from the replicas").isPositive();

                    await("writes succeed again after the supervisor restarted the primary",
                            () -> restarted(up, "postgres-primary", primaryNode) && writes.createdSinceRefusal() >= 3);
                    List<String> events = new ArrayList<>();
                    dashboard(admin).get("events").forEach(e -> events.add(e.get("kind").asText() + " " + e.get("subject").asText()));
                    assertThat(events).as("the dashboard's events").contains("restarted postgres-primary")
                            .anyMatch(e -> e.startsWith("degraded links-"))
                            .as("the gateway ejected no links node for its 503s").noneMatch(e -> e.startsWith("ejected links-"));
                    writes.stop();
                    assertThat(writes.badAnswers()).as("every write: 201, or 503 problem+json with Retry-After").isEmpty();
                    assertThat(writes.slowest()).as("no write waits beyond the bound (%s)", WRITE_BOUND)
                            .isLessThanOrEqualTo(WRITE_BOUND);
                    assertThat(upstreamRequests(admin, "degraded")).as("the gateway took each refusal for the "
                            + "degraded mode it is, not the node's failure").isGreaterThanOrEqualTo(writes.refused());
                    System.out.printf("faults: %d writes refused with 503 while the primary was down, the slowest "
                            + "write took %d ms; %d reads served meanwhile%n", writes.refused(), writes.slowest().toMillis(),
                            servedWhileDown);
                }
                load.stop();
                assertThat(load.failures()).as(() -> "failed reads: " + load.failures() + "; logs:\n"
                        + logs(up, "gateway", "links-1", "links-2")).isEmpty();
                System.out.printf("faults: %d reads served, none failed%n", load.served());
            }

            processes.addAll(StrataProcess.processesOf(up.topology()));
            up.signal("TERM");
            assertThat(up.awaitExit(Duration.ofSeconds(120))).isZero();
            assertThat(processes).noneMatch(ProcessHandle::isAlive);
            assertThat(up.runDir.resolve("topology.json")).doesNotExist();
        }
    }

    // ------------------------------------------------------------------ the load

    /** Readers through the gateway, past its cache: the API's view of a link and the redirect. */
    private final class ReadLoad implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger served = new AtomicInteger();
        private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        private final List<Thread> threads = new ArrayList<>();

        ReadLoad(String base, List<String> codes) {
            for (int i = 0; i < 4; i++) {
                int first = i;
                threads.add(Thread.ofPlatform().name("reader-" + i).start(() -> {
                    for (int n = first; running.get(); n++) {
                        String code = codes.get(n % codes.size());
                        String path = n % 2 == 0 ? "/api/links/" + code : "/" + code;
                        try {
                            HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
                                    .header("Cache-Control", "no-cache").timeout(Duration.ofSeconds(20)).build(),
                                    HttpResponse.BodyHandlers.discarding());
                            if (r.statusCode() == 200 || r.statusCode() == 302) {
                                served.incrementAndGet();
                            } else {
                                failures.add(Instant.now() + " " + path + " -> " + r.statusCode());
                            }
                        } catch (Exception e) {
                            failures.add(Instant.now() + " " + path + " -> " + e);
                        }
                    }
                }));
            }
        }

        int served() {
            return served.get();
        }

        List<String> failures() {
            return List.copyOf(failures);
        }

        void awaitServed(int n) throws InterruptedException {
            await("reads served: " + n, () -> served.get() >= n);
        }

        void stop() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join();
            }
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }

    /** One writer through the gateway, creating links one after another; each answer timed. */
    private final class Writes implements AutoCloseable {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger created = new AtomicInteger();
        private final AtomicInteger refused = new AtomicInteger();
        private final AtomicInteger createdSinceRefusal = new AtomicInteger();
        private final ConcurrentLinkedQueue<String> bad = new ConcurrentLinkedQueue<>();
        private volatile long slowestNanos;
        private final Thread thread;

        Writes(String base) {
            thread = Thread.ofPlatform().name("writer").start(() -> {
                for (int n = 0; running.get(); n++) {
                    long start = System.nanoTime();
                    try {
                        HttpResponse<String> r = create(base, "https://example.org/written/" + n);
                        slowestNanos = Math.max(slowestNanos, System.nanoTime() - start);
                        if (r.statusCode() == 201) {
                            created.incrementAndGet();
                            if (refused.get() > 0) {
                                createdSinceRefusal.incrementAndGet();
                            }
                        } else if (r.statusCode() == 503
                                && r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json")
                                && r.headers().firstValue("Retry-After").isPresent()) {
                            refused.incrementAndGet();
                        } else {
                            bad.add(r.statusCode() + " " + r.headers().map() + " " + r.body());
                        }
                        Thread.sleep(50);
                    } catch (Exception e) {
                        slowestNanos = Math.max(slowestNanos, System.nanoTime() - start);
                        bad.add(e.toString());
                    }
                }
            });
        }

        void awaitCreated(int n) throws InterruptedException {
            await("links created: " + n, () -> created.get() >= n);
        }

        int refused() {
            return refused.get();
        }

        int createdSinceRefusal() {
            return createdSinceRefusal.get();
        }

        List<String> badAnswers() {
            return List.copyOf(bad);
        }

        Duration slowest() {
            return Duration.ofNanos(slowestNanos);
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join();
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }

    // ------------------------------------------------------------------ views, processes, waiting

    /** The logs of {@code nodes} without stack frames, each under its name. */
    private static String logs(StrataProcess up, String... nodes) {
        StringBuilder all = new StringBuilder();
        for (String node : nodes) {
            all.append("---- ").append(node).append('\n');
            up.log(node).lines().filter(l -> !l.startsWith("\tat ") && !l.startsWith("\t...")).forEach(l -> all.append(l).append('\n'));
        }
        return all.toString();
    }

    private HttpResponse<String> create(String base, String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + "/api/links"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString("{\"url\":\"" + url + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A links node's view of the database nodes ({@code GET /_strata/db}, asked directly). */
    private JsonNode db(String linksUrl) {
        return getJson(linksUrl + "/_strata/db");
    }

    private JsonNode ready(String linksUrl) {
        return getJson(linksUrl + "/readyz");
    }

    private JsonNode dashboard(String admin) {
        return getJson(admin + "/_strata/dashboard.json");
    }

    private JsonNode getJson(String url) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return JSON.readTree(r.body());
        } catch (Exception e) {
            return JSON.createObjectNode();
        }
    }

    private static JsonNode dbNode(JsonNode view, String name) {
        for (JsonNode n : view.path("nodes")) {
            if (n.path("name").asText().equals(name)) {
                return n;
            }
        }
        return JSON.createObjectNode();
    }

    /** The one value {@code sql} answers, asked on the database server of {@code node} itself. */
    private static String ask(JsonNode topology, String node, String sql) throws Exception {
        String url = "jdbc:" + StrataProcess.node(topology, node).get("url").asText();
        try (Connection c = DriverManager.getConnection(url, "strata", "");
             ResultSet rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }

    /** The gateway's requests to its endpoints with {@code outcome}, over all of them ({@code strata_upstream_requests_total}). */
    private double upstreamRequests(String admin, String outcome) throws Exception {
        String text = http.send(HttpRequest.newBuilder(URI.create(admin + "/_strata/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return text.lines().filter(l -> l.startsWith("strata_upstream_requests_total{")
                        && l.contains("outcome=\"" + outcome + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** A WAL position {@code X/Y} (hex) as a number; -1 for none. */
    private static long lsn(String position) {
        int slash = position.indexOf('/');
        if (slash < 1) {
            return -1;
        }
        return (Long.parseLong(position.substring(0, slash), 16) << 32) | Long.parseLong(position.substring(slash + 1), 16);
    }

    /** Reads replica 1 has served, over the links nodes. */
    private long replicaQueries(List<String> links) {
        return links.stream().mapToLong(l -> dbNode(db(l), "replica-1").path("queries").asLong()).sum();
    }

    /** Whether the topology names a new, live process for {@code node} (the supervisor restarted it). */
    private static boolean restarted(StrataProcess up, String node, long oldPid) {
        try {
            long pid = StrataProcess.node(up.topology(), node).get("pid").asLong();
            return pid != oldPid && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        } catch (Exception | AssertionError e) {
            return false;
        }
    }

    /** The PostgreSQL server a database node runs: its child process {@code .../bin/postgres}. */
    private static long postmasterOf(long nodePid) {
        return ProcessHandle.of(nodePid).orElseThrow().children()
                .filter(p -> p.info().command().map(c -> c.endsWith("/bin/postgres")).orElse(false))
                .findFirst().orElseThrow(() -> new AssertionError("no postgres child of " + nodePid)).pid();
    }

    private static void kill(long... pids) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("kill", "-9"));
        for (long p : pids) {
            cmd.add(Long.toString(p));
        }
        assertThat(new ProcessBuilder(cmd).inheritIO().start().waitFor()).isZero();
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + PATIENCE + ": " + what);
            }
            Thread.sleep(100);
        }
    }
}
