package dev.strata.links;

import dev.strata.common.process.NodeProcess;
import dev.strata.data.DataConfig;
import dev.strata.data.route.ConsistencyTokens;
import dev.strata.data.route.DatabaseRouter;
import dev.strata.data.route.NodeView;
import dev.strata.data.route.RouterMetrics;
import dev.strata.links.api.LinksApi;
import dev.strata.links.clicks.ClickCounter;
import dev.strata.links.store.LinkStore;
import dev.strata.links.token.ManageTokens;
import io.javalin.Javalin;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code links} role: one stateless node of the URL shortener. Any number of nodes may share
 * one database and one secret; none keeps state another would need.
 */
public final class LinksNode implements AutoCloseable {

    /** Environment variable holding the manage-token secret when {@code links.secret} is empty. */
    public static final String SECRET_ENV = "STRATA_SECRET";

    private static final Logger LOG = LoggerFactory.getLogger(LinksNode.class);

    private final LinksConfig config;
    private final DatabaseRouter database;
    private final ClickCounter clicks;
    private final Javalin server;
    private final String url;
    private final AtomicBoolean closed = new AtomicBoolean();

    private LinksNode(LinksConfig config, DatabaseRouter database, ClickCounter clicks, Javalin server, String url) {
        this.config = config;
        this.database = database;
        this.clicks = clicks;
        this.server = server;
        this.url = url;
    }

    /** Opens the database (migrating it), starts listening, and returns once requests are served. */
    public static LinksNode start(LinksConfig config, DataConfig data) {
        String secret = resolveSecret(config);
        DatabaseRouter database = DatabaseRouter.open(config.nodeName() + "-db", data, List.of(LinkStore.MIGRATIONS));
        ClickCounter clicks = null;
        Javalin server = null;
        try {
            LinkStore store = new LinkStore(database);
            clicks = new ClickCounter(store::addClicks, config.clickFlushInterval());
            LinksApi api = new LinksApi(config, store, new ManageTokens(secret), clicks,
                    new ConsistencyTokens(secret, data.routing().tokenTtl(), Clock.systemUTC()), data.routing().tokenTtl(),
                    () -> database.mode(config.readyTimeout()), databaseView(config, database));
            server = api.create();
            server.start();
            String url = LinksApi.publicBase(config, server.port());
            LOG.info("{} listening on {}:{} (public URL {})", config.nodeName(), config.host(), server.port(), url);
            return new LinksNode(config, database, clicks, server, url);
        } catch (RuntimeException e) {
            if (server != null) {
                server.stop();
            }
            if (clicks != null) {
                clicks.close();
            }
            database.close();
            throw e;
        }
    }

    /**
     * Runs a node until the JVM is told to stop (SIGTERM, SIGINT, or the supervisor's end of stdin):
     * then it stops accepting, lets requests in flight finish within {@code shutdown_grace}, writes
     * the pending click counts, and the JVM exits with status 0.
     */
    public static void run(LinksConfig config, DataConfig data) {
        LinksNode node = start(config, data);
        NodeProcess.serveUntilStopped("links", node::close,
                () -> LOG.info("ready: {} on port {} (short URLs under {})", config.nodeName(), node.port(), node.url()));
    }

    /** The port it listens on (the chosen one when configured with 0). */
    public int port() {
        return server.port();
    }

    /** The base of its short URLs. */
    public String url() {
        return url;
    }

    /** The router of its database queries (its view of the database nodes). */
    public DatabaseRouter database() {
        return database;
    }

    public String nodeName() {
        return config.nodeName();
    }

    /** Graceful stop: no new connections, requests in flight finish, click counts are written. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        LOG.info("{} stopping (grace {})", config.nodeName(), config.shutdownGrace());
        try {
            server.stop();
        } finally {
            try {
                clicks.close();
            } finally {
                database.close();
            }
        }
        LOG.info("{} stopped", config.nodeName());
    }

    private static LinksApi.DatabaseView databaseView(LinksConfig config, DatabaseRouter database) {
        return new LinksApi.DatabaseView() {
            @Override
            public byte[] json() {
                var root = com.fasterxml.jackson.databind.json.JsonMapper.builder().build().createObjectNode();
                root.put("node", config.nodeName());
                root.put("mode", database.mode(config.readyTimeout()));
                var nodes = root.putArray("nodes");
                for (NodeView n : database.nodes()) {
                    nodes.addObject().put("name", n.name()).put("role", n.role()).put("address", n.address())
                            .put("state", n.state()).put("position", n.position()).put("lag_bytes", n.lagBytes())
                            .put("lag_ms", n.lagMillis()).put("in_flight", n.inFlight()).put("queries", n.queries());
                }
                root.put("token_reads", database.tokenReads());
                root.put("token_waits", database.tokenWaits());
                root.put("primary_fallbacks", database.primaryFallbacks());
                return root.toPrettyString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
            }

            @Override
            public String prometheus() {
                return RouterMetrics.prometheus(database);
            }

            @Override
            public String degraded() {
                if (database.primaryAvailable()) {
                    return null;
                }
                boolean replicaServes = database.nodes().stream()
                        .anyMatch(n -> n.role().equals("replica") && !n.state().equals("down"));
                return replicaServes ? "database read-only" : "database down";
            }
        };
    }

    private static String resolveSecret(LinksConfig config) {
        if (!config.secret().isEmpty()) {
            return config.secret();
        }
        String env = System.getenv(SECRET_ENV);
        if (env != null && !env.isEmpty()) {
            return env;
        }
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        LOG.warn("no links.secret and no {}: using a random secret; manage tokens issued by {} will not verify "
                + "on other nodes or after a restart", SECRET_ENV, config.nodeName());
        return Base64.getEncoder().encodeToString(random);
    }
}
