package dev.strata.cli.up;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.common.config.ConfigLoader;
import dev.strata.data.DataConfig;
import dev.strata.redis.EmbeddedRedis;
import dev.strata.redis.RedisConfig;
import java.io.IOException;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Turns a stage number and the user's configuration into the nodes to start, and writes each node's
 * effective configuration file: the user's file with the addresses this topology assigns (ports,
 * node names, the database the services use, the gateway's endpoints) laid over it.
 */
final class Planner {

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    /** Embedded replicas at stage 4 without {@code --replicas} or {@code data.replication.replicas}. */
    static final int DEFAULT_REPLICAS = 2;

    private final UpConfig up;
    private final ObjectNode userTree;
    private final Path runDir;
    private final HttpClient http;

    private final Map<Integer, Duration> replicaDelays;

    Planner(UpConfig up, ObjectNode userTree, Path runDir, HttpClient http) {
        this(up, userTree, runDir, http, Map.of());
    }

    /** @param replicaDelays stage 4: the apply delay of replica N, by N, for the replicas that get one of their own */
    Planner(UpConfig up, ObjectNode userTree, Path runDir, HttpClient http, Map<Integer, Duration> replicaDelays) {
        this.up = up;
        this.userTree = userTree;
        this.runDir = runDir;
        this.http = http;
        this.replicaDelays = Map.copyOf(replicaDelays);
    }

    /**
     * @param gateways gateways at stage 2 and above; more than one share a {@code redis} node, started
     *                 before them
     * @param adminToken the token every gateway's admin API requires for mutating calls, unless the
     *                   user's file sets {@code gateway.admin.token}
     */
    List<NodeSpec> plan(int stage, int nodes, int gateways, boolean fresh, String adminToken) throws IOException {
        Path confDir = Files.createDirectories(runDir.resolve("conf"));
        String host = up.host();
        List<NodeSpec> specs = new ArrayList<>();

        ObjectNode base = userTree.deepCopy();
        ObjectNode data = section(base, "data");
        if (data.path("url").asText("").isBlank()) {
            ObjectNode emb = section(data, "embedded");
            emb.put("host", host);
            emb.put("port", up.ports().postgres());
            if (!emb.has("dir")) {
                emb.put("dir", runDir.resolve("postgres").toString());
            }
            Path conf = write(confDir, "postgres", base);
            DataConfig db = ConfigLoader.fromYaml(ConfigLoader.toYaml(base), conf.toString())
                    .section("data", DataConfig.class);
            if (stage >= 4) {
                specs.addAll(replicatedDatabase(conf, db, fresh));
            } else {
                specs.add(new NodeSpec("postgres", "postgres", conf, up.jvmOptions().postgres(), List.of(),
                        fresh ? List.of("--fresh") : List.of(), db.jdbcUrl().substring("jdbc:".length()), null,
                        Readiness.jdbc(db.jdbcUrl(), db.user(), db.password())));
            }
        }

        int linksCount = stage >= 3 ? nodes : 1;
        String entryUrl = stage >= 2 ? "http://" + host + ":" + up.ports().gateway()
                : "http://" + host + ":" + up.ports().links();
        List<String[]> endpoints = new ArrayList<>(); // address, node name
        for (int i = 1; i <= linksCount; i++) {
            String name = "links-" + i;
            int port = up.ports().links() + i - 1;
            ObjectNode tree = base.deepCopy();
            ObjectNode links = section(tree, "links");
            links.put("host", host);
            links.put("port", port);
            links.put("node_name", name);
            if (links.path("public_url").asText("").isBlank()) {
                links.put("public_url", entryUrl);
            }
            String url = "http://" + host + ":" + port;
            endpoints.add(new String[] {host + ":" + port, name});
            specs.add(new NodeSpec(name, "links", write(confDir, name, tree), up.jvmOptions().links(), List.of(),
                    url, null, Readiness.http(http, url + "/readyz")));
        }

        if (stage >= 2) {
            String redisUri = null;
            if (gateways > 1) {
                ObjectNode tree = base.deepCopy();
                ObjectNode redis = section(tree, "redis");
                redis.put("host", host);
                redis.put("port", up.ports().redis());
                if (!redis.has("dir")) {
                    redis.put("dir", runDir.resolve("redis").toString());
                }
                RedisConfig server = ConfigLoader.fromYaml(ConfigLoader.toYaml(tree), "redis node")
                        .section("redis", RedisConfig.class);
                redisUri = server.uri();
                specs.add(0, new NodeSpec("redis", "redis", write(confDir, "redis", tree), up.jvmOptions().redis(),
                        List.of(), redisUri, null, () -> EmbeddedRedis.answersPing(server.host(), server.port())));
            }
            for (int i = 1; i <= gateways; i++) {
                String name = gateways == 1 ? "gateway" : "gateway-" + i;
                int port = i == 1 ? up.ports().gateway() : up.ports().moreGateways() + i - 2;
                int adminPort = up.ports().gatewayAdmin() + i - 1;
                ObjectNode tree = base.deepCopy();
                ObjectNode gateway = section(tree, "gateway");
                gateway.put("name", name);
                ArrayNode listeners = gateway.putArray("listeners");
                listeners.addObject().put("name", "main").put("address", host + ":" + port);
                ObjectNode adminSection = section(gateway, "admin");
                adminSection.put("address", host + ":" + adminPort);
                ObjectNode dashboard = section(adminSection, "dashboard");
                if (dashboard.path("topology").asText("").isBlank()) {
                    dashboard.put("topology", runDir.resolve("topology.json").toString());
                }
                if (adminSection.path("token").asText("").isEmpty()) {
                    adminSection.put("token", adminToken);
                }
                if (redisUri != null) {
                    ObjectNode cluster = section(gateway, "cluster");
                    cluster.put("enabled", true);
                    cluster.put("redis", redisUri);
                }
                if (!gateway.has("filters")) {
                    gateway.set("filters", stageLimits(redisUri != null));
                }
                ObjectNode upstreams = section(gateway, "upstreams");
                ObjectNode app = section(upstreams, "app");
                ArrayNode eps = app.putArray("endpoints");
                endpoints.forEach(e -> eps.addObject().put("address", e[0]).put("name", e[1]));
                if (!gateway.has("routes")) {
                    ArrayNode routes = gateway.putArray("routes");
                    // the shared cache in front of the links nodes: redirects, link stats and the page's assets
                    ObjectNode cache = routes.addObject().put("name", "default").put("host", "*").put("path_prefix", "/")
                            .put("upstream", "app").putArray("filters").addObject().putObject("cache");
                    if (stage >= 2) { // from stage 4 its replicas lag; before it, the field still stays from clients
                        cache.set("positions", cachePositions(ConfigLoader.fromYaml(ConfigLoader.toYaml(base), "data")
                                .section("data", DataConfig.class).routing().maxLag()));
                    }
                }
                String url = "http://" + host + ":" + port;
                String admin = "http://" + host + ":" + adminPort;
                specs.add(new NodeSpec(name, "gateway", write(confDir, name, tree), up.jvmOptions().gateway(),
                        List.of(), url, admin, Readiness.http(http, admin + "/_strata/health")));
            }
        }
        requireDistinctPorts(specs);
        return specs;
    }

    /**
     * The cache reads the links nodes' data positions and consistency tokens (from stage 4 its reads come
     * from replicas that lag), and fences a purged link's tag for six times the longest lag a replica that
     * serves reads may have ({@code data.routing.max_lag}), at least 30 s.
     */
    static ObjectNode cachePositions(Duration maxLag) {
        ObjectNode positions = JSON.objectNode().put("header", "Strata-Data-Position");
        positions.putArray("token").add("header:Strata-Consistency").add("cookie:strata_consistency");
        long seconds = Math.max(30, maxLag.multipliedBy(6).toSeconds());
        positions.put("fence_window", seconds + "s");
        return positions;
    }

    /** Ports that two nodes would both bind are refused before anything starts. */
    private static void requireDistinctPorts(List<NodeSpec> specs) {
        java.util.Map<Integer, String> owners = new java.util.HashMap<>();
        for (NodeSpec spec : specs) {
            for (java.net.URI uri : spec.listens()) {
                int port = uri.getPort();
                String before = owners.putIfAbsent(port, spec.name());
                if (before != null) {
                    throw new IllegalArgumentException("up.ports: port " + port + " would serve both " + before
                            + " and " + spec.name() + " (expected: ranges that do not overlap; gateway-2 and on "
                            + "take ports.more_gateways, their admin APIs ports.gateway_admin + 1 and on)");
                }
            }
        }
    }

    /** The filters of {@code strata/up/stage-limits.yaml}, their rules shared through Redis when {@code cluster}. */
    static JsonNode stageLimits(boolean cluster) throws IOException {
        JsonNode filters;
        try (var in = Planner.class.getClassLoader().getResourceAsStream("strata/up/stage-limits.yaml")) {
            if (in == null) {
                throw new IOException("strata/up/stage-limits.yaml is not on the classpath");
            }
            filters = ConfigLoader.mapper().readTree(in).get("filters").deepCopy();
        }
        if (cluster) {
            for (JsonNode f : filters) {
                if (f.get("rate_limit") instanceof ObjectNode limiter) {
                    limiter.put("store", "cluster");
                    section(limiter, "cluster").put("timeout", "50ms").put("on_failure", "local");
                }
            }
        }
        return filters;
    }

    /**
     * Sets how many embedded replicas the services' {@code data} section expects: {@code replicas}
     * at stage 4 and above, none below. Every node's file then carries it, so the links nodes route
     * reads to exactly the replicas this topology starts.
     */
    static void setReplicas(ObjectNode userTree, int stage, Integer replicas) {
        ObjectNode replication = section(section(userTree, "data"), "replication");
        int configured = replication.path("replicas").asInt(0);
        int count = replicas != null ? replicas : configured > 0 ? configured : DEFAULT_REPLICAS;
        replication.put("replicas", stage >= 4 ? count : 0);
    }

    /** Stage 4: {@code postgres-primary} and {@code postgres-replica-1..R}, each its own process, the replicas after the primary. */
    private List<NodeSpec> replicatedDatabase(Path conf, DataConfig db, boolean fresh) {
        List<NodeSpec> specs = new ArrayList<>();
        List<String> freshArg = fresh ? List.of("--fresh") : List.of();
        // --fresh wipes on the first start only: the supervisor's restart after a crash keeps the data
        specs.add(new NodeSpec("postgres-primary", "postgres-primary", conf, up.jvmOptions().postgres(), List.of(), freshArg,
                db.jdbcUrl().substring("jdbc:".length()), null, Readiness.jdbc(db.jdbcUrl(), db.user(), db.password())));
        for (Integer n : replicaDelays.keySet()) {
            if (n < 1 || n > db.replication().replicas()) {
                throw new IllegalArgumentException("--replica-delay " + n + "=...: there is no replica " + n
                        + " (expected: 1.." + db.replication().replicas() + ")");
            }
        }
        for (int i = 1; i <= db.replication().replicas(); i++) {
            String url = db.embedded().replica(i).jdbcUrl();
            // never --fresh: a fresh primary has no slot for it, so it rebuilds itself, and a restart resumes
            List<String> args = new ArrayList<>(List.of("--replica", Integer.toString(i)));
            Duration delay = replicaDelays.get(i);
            if (delay != null) {
                args.addAll(List.of("--apply-delay", delay.toMillis() + "ms"));
            }
            specs.add(new NodeSpec("postgres-replica-" + i, "postgres-replica", conf, up.jvmOptions().postgres(), args,
                    url.substring("jdbc:".length()), null, Readiness.jdbc(url, db.user(), db.password())));
        }
        return specs;
    }

    private static ObjectNode section(ObjectNode parent, String name) {
        JsonNode existing = parent.get(name);
        if (existing instanceof ObjectNode o) {
            return o;
        }
        ObjectNode created = JSON.objectNode();
        parent.set(name, created);
        return created;
    }

    private static Path write(Path confDir, String name, ObjectNode tree) throws IOException {
        Path file = confDir.resolve(name + ".yaml");
        Files.writeString(file, "# written by ./strata up for node " + name + "; edit the --config file instead\n"
                + ConfigLoader.toYaml(tree));
        // a gateway's file carries the admin token
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        return file;
    }
}
