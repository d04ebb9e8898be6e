package dev.strata.links.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.common.http.Problem;
import dev.strata.data.route.ConsistencyTokens;
import dev.strata.data.route.PrimaryUnavailableException;
import dev.strata.data.route.ReadAt;
import dev.strata.data.route.Written;
import dev.strata.links.LinksConfig;
import dev.strata.links.clicks.ClickCounter;
import dev.strata.links.store.Link;
import dev.strata.links.store.LinkStore;
import dev.strata.links.token.ManageTokens;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.http.Context;
import io.javalin.http.Handler;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP interface of the links service on Javalin (Jetty, virtual threads). Every response,
 * errors included, names the node in {@code X-Served-By}; every error is a problem detail.
 *
 * <p>{@code clicks} in a link's JSON is the count in the database plus the clicks this node has
 * counted and not yet flushed; clicks counted by other nodes show once they flush (within
 * {@code click_flush_interval}).
 */
public final class LinksApi {

    private static final Logger LOG = LoggerFactory.getLogger(LinksApi.class);
    private static final String SERVED_BY = "X-Served-By";
    /** A degraded mode every node shares (see {@link DatabaseView#degraded()}). */
    private static final String DEGRADED = "Strata-Degraded";
    private static final int CREATE_ATTEMPTS = 8;
    private static final Set<String> CREATE_FIELDS = Set.of("url", "code");
    private static final Set<String> UPDATE_FIELDS = Set.of("url");

    private final LinksConfig config;
    private final LinkStore store;
    private final ManageTokens tokens;
    private final ClickCounter clicks;
    private final Supplier<String> databaseMode;
    private final Consistency consistency;
    private final DatabaseView databaseView;
    private final JsonBodies bodies;
    private final LinkRules rules = new LinkRules();
    private final WebAssets assets;
    private final CacheFields cacheFields;

    /**
     * @param consistencyTokens sign the WAL positions of writes for the client's next reads
     * @param databaseMode {@code read-write}, {@code read-only} or {@code down}, asked now ({@code /readyz})
     * @param databaseView this node's view of the database nodes, for its admin path
     */
    public LinksApi(LinksConfig config, LinkStore store, ManageTokens tokens, ClickCounter clicks,
                    ConsistencyTokens consistencyTokens, java.time.Duration tokenTtl, Supplier<String> databaseMode,
                    DatabaseView databaseView) {
        this.config = config;
        this.store = store;
        this.tokens = tokens;
        this.clicks = clicks;
        this.databaseMode = databaseMode;
        this.consistency = new Consistency(consistencyTokens, tokenTtl);
        this.databaseView = databaseView;
        this.bodies = new JsonBodies(config.maxBody().intBytes());
        this.assets = new WebAssets(config.nodeName());
        this.cacheFields = new CacheFields("public, max-age=" + config.cacheMaxAge().toSeconds());
    }

    /** The base of short URLs: {@code public_url}, or {@code http://<host>:<port>} when it is empty. */
    public static String publicBase(LinksConfig config, int port) {
        if (!config.publicUrl().isBlank()) {
            return config.publicUrl().replaceAll("/+$", "");
        }
        String host = config.host();
        if (host.equals("0.0.0.0") || host.equals("::")) {
            host = "127.0.0.1";
        }
        return "http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** A Javalin server for this API, not started yet; {@code stop()} drains requests for {@code shutdown_grace}. */
    public Javalin create() {
        return Javalin.create(this::configure);
    }

    private void configure(JavalinConfig cfg) {
        String node = config.nodeName();
        ProblemErrorHandler errors = new ProblemErrorHandler(node);
        cfg.startup.showJavalinBanner = false;
        cfg.startup.showOldJavalinVersionWarning = false;
        cfg.concurrency.useVirtualThreads = true;
        cfg.http.maxRequestSize = config.maxBody().bytes();
        cfg.http.generateEtags = false;
        cfg.http.prefer405over404 = false;
        cfg.jetty.host = config.host();
        cfg.jetty.port = config.port();
        cfg.jetty.modifyHttpConfiguration(http -> {
            http.setRequestHeaderSize(config.maxHeaderSize().intBytes());
            http.setSendServerVersion(false);
            http.setSendXPoweredBy(false);
        });
        cfg.jetty.modifyServer(server -> {
            server.setStopTimeout(config.shutdownGrace().toMillis());
            server.insertHandler(new GracefulHandler());
            server.insertHandler(new ServedByHandler(node));
            server.setErrorHandler(errors);
        });
        cfg.jetty.modifyServletContextHandler(context -> context.setErrorHandler(errors));

        var routes = cfg.routes;
        routes.after(ctx -> {
            int status = ctx.statusCode();
            if (status == 204 || status == 304 || (status >= 300 && status < 400 && ctx.resultInputStream() == null)) {
                ctx.res().setContentType(null); // no body, so no type (the framework gives every answer text/plain)
            }
        });
        routes.post("/api/links", this::createLink);
        getAndHead(cfg, "/api/links/{code}", this::showLink);
        routes.put("/api/links/{code}", this::updateLink);
        routes.delete("/api/links/{code}", this::deleteLink);
        getAndHead(cfg, "/healthz", ctx -> json(degraded(ctx, databaseView.degraded()),
                200, JsonBodies.JSON.createObjectNode().put("status", "alive").put("node", node)));
        getAndHead(cfg, "/readyz", this::ready);
        getAndHead(cfg, "/_strata/db", ctx -> {
            localOnly(ctx);
            ctx.status(200);
            ctx.header("Cache-Control", "no-store");
            ctx.contentType("application/json");
            ctx.result(databaseView.json());
        });
        getAndHead(cfg, "/_strata/metrics", ctx -> {
            localOnly(ctx);
            ctx.status(200);
            ctx.header("Cache-Control", "no-store");
            ctx.contentType("text/plain; version=0.0.4; charset=utf-8");
            ctx.result(databaseView.prometheus());
        });
        getAndHead(cfg, "/", this::index);
        getAndHead(cfg, "/static/{name}", this::asset);
        getAndHead(cfg, "/{code}", this::redirect);

        routes.exception(ProblemException.class, (e, ctx) -> {
            e.headers().forEach(ctx::header);
            writeProblem(ctx, e.problem());
        });
        routes.exception(HttpResponseException.class, (e, ctx) -> unmatched(ctx, e.getStatus()));
        routes.exception(Exception.class, (e, ctx) -> {
            if (e instanceof PrimaryUnavailableException primary) {
                LOG.warn("{} {}: no primary database: {}", ctx.method(), ctx.path(), e.getMessage());
                ctx.header("Retry-After", Long.toString(Math.max(1, primary.retryAfter().toSeconds())));
                // every node answers so now: a gateway neither ejects this node for it nor retries elsewhere
                degraded(ctx, java.util.Objects.requireNonNullElse(databaseView.degraded(), "database read-only"));
                writeProblem(ctx, Problem.of(503, "the database takes no writes now (read-only); try again"));
                return;
            }
            if (isDatabaseUnavailable(e)) {
                LOG.warn("{} {}: database unavailable: {}", ctx.method(), ctx.path(), e.toString());
                ctx.header("Retry-After", "1");
                writeProblem(ctx, Problem.of(503, "the database is unavailable; try again"));
                return;
            }
            LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
            writeProblem(ctx, Problem.of(500, "the request could not be completed"));
        });
        routes.error(404, ctx -> {
            if (!isProblem(ctx)) {
                unmatched(ctx, 404);
            }
        });
        routes.error(405, ctx -> {
            if (!isProblem(ctx)) {
                unmatched(ctx, 405);
            }
        });
    }

    /** Names the node on every response, including those Javalin never sees. */
    private static final class ServedByHandler extends org.eclipse.jetty.server.Handler.Wrapper {
        private final String node;

        ServedByHandler(String node) {
            this.node = node;
        }

        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            response.getHeaders().put(SERVED_BY, node);
            return super.handle(request, response, callback);
        }
    }

    private static void getAndHead(JavalinConfig cfg, String path, Handler handler) {
        cfg.routes.get(path, handler);
        cfg.routes.head(path, handler);
    }

    // ---- handlers ----

    private void createLink(Context ctx) throws SQLException {
        ObjectNode body = bodies.readObject(ctx, CREATE_FIELDS);
        String url = JsonBodies.requiredString(body, "url");
        LinkRules.checkUrl(url);
        String chosen = JsonBodies.optionalString(body, "code");
        Link link;
        if (chosen != null) {
            LinkRules.checkChosenCode(chosen);
            Written<Optional<Link>> written = store.insertIfAbsent(chosen, url);
            consistency.issue(ctx, written.position());
            link = written.value()
                    .orElseThrow(() -> new ProblemException(409, "code: '%s' is taken".formatted(chosen)));
        } else {
            link = insertWithGeneratedCode(ctx, url);
        }
        String base = publicBase(config, ctx.req().getLocalPort());
        ObjectNode json = JsonBodies.JSON.createObjectNode()
                .put("code", link.code())
                .put("url", link.url())
                .put("short_url", base + "/" + link.code())
                .put("manage_token", tokens.issue(link.code()));
        ctx.header("Location", base + "/api/links/" + link.code());
        json(ctx, 201, json);
    }

    private Link insertWithGeneratedCode(Context ctx, String url) throws SQLException {
        for (int attempt = 0; attempt < CREATE_ATTEMPTS; attempt++) {
            String code = rules.generateCode();
            if (LinkRules.RESERVED.contains(code.toLowerCase(Locale.ROOT))) {
                continue;
            }
            Written<Optional<Link>> link = store.insertIfAbsent(code, url);
            if (link.value().isPresent()) {
                consistency.issue(ctx, link.position());
                return link.value().get();
            }
        }
        throw new IllegalStateException("no free code after " + CREATE_ATTEMPTS + " attempts");
    }

    private void showLink(Context ctx) throws SQLException {
        String code = existingCodeShape(ctx);
        ReadAt<Optional<Link>> read = store.find(code, consistency.requested(ctx));
        json(ctx, 200, linkJson(read.value().orElseThrow(() -> notFound(code))));
        // shared caches may keep it as long as a redirect; a change of the link purges both by the tag
        cacheFields.shared(ctx, code, read.position());
    }

    private void updateLink(Context ctx) throws SQLException {
        String code = existingCodeShape(ctx);
        authorize(ctx, code);
        ObjectNode body = bodies.readObject(ctx, UPDATE_FIELDS);
        String url = JsonBodies.requiredString(body, "url");
        LinkRules.checkUrl(url);
        Written<Optional<Link>> written = store.updateUrl(code, url);
        consistency.issue(ctx, written.position());
        Link link = written.value().orElseThrow(() -> notFound(code));
        json(ctx, 200, linkJson(link));
        CacheFields.invalidate(ctx, code, written.position());
    }

    private void deleteLink(Context ctx) throws SQLException {
        String code = existingCodeShape(ctx);
        authorize(ctx, code);
        Written<Boolean> deleted = store.delete(code);
        consistency.issue(ctx, deleted.position());
        if (!deleted.value()) {
            throw notFound(code);
        }
        clicks.forget(code);
        ctx.header("Cache-Control", "no-store");
        CacheFields.invalidate(ctx, code, deleted.position());
        ctx.status(204);
    }

    private void redirect(Context ctx) throws SQLException {
        String code = ctx.pathParam("code");
        if (!LinkRules.looksLikeCode(code) || LinkRules.RESERVED.contains(code.toLowerCase(Locale.ROOT))) {
            throw new ProblemException(404, "no link with this code");
        }
        ReadAt<Optional<String>> read = store.findUrl(code, consistency.requested(ctx));
        ctx.status(302);
        ctx.header("Location", read.value().orElseThrow(() -> notFound(code)));
        cacheFields.shared(ctx, code, read.position());
        if (ctx.method() == HandlerType.GET) {
            clicks.record(code);
        }
    }

    private void ready(Context ctx) {
        String mode = databaseMode.get();
        if ("down".equals(mode)) {
            throw new ProblemException(503, "the database does not answer");
        }
        json(ctx, 200, JsonBodies.JSON.createObjectNode().put("status", "ready").put("node", config.nodeName())
                .put("database", mode));
    }

    private static Context degraded(Context ctx, String how) {
        return how == null ? ctx : ctx.header(DEGRADED, how);
    }

    /**
     * The admin paths answer a client on this machine that reached the node directly; through a
     * proxy (a forwarding header) or from elsewhere they do not exist.
     */
    private static void localOnly(Context ctx) {
        boolean loopback;
        try {
            loopback = java.net.InetAddress.getByName(ctx.req().getRemoteAddr()).isLoopbackAddress();
        } catch (java.net.UnknownHostException e) {
            loopback = false;
        }
        if (!loopback || ctx.header("X-Forwarded-For") != null || ctx.header("Forwarded") != null) {
            throw new ProblemException(404, "no such resource");
        }
    }

    /** What the admin paths show of the database. */
    public interface DatabaseView {
        /** The database nodes as JSON. */
        byte[] json();

        /** The {@code strata_db_*} metrics in the Prometheus text format. */
        String prometheus();

        /** {@code database read-only} (or {@code down}) as the last polls saw it, else null; sent on {@code /healthz}. */
        default String degraded() {
            return null;
        }
    }

    private void index(Context ctx) {
        ctx.status(200);
        ctx.header("Cache-Control", "no-cache");
        ctx.contentType("text/html; charset=utf-8");
        ctx.result(assets.indexHtml());
    }

    private void asset(Context ctx) {
        WebAssets.Asset asset = assets.asset(ctx.pathParam("name"))
                .orElseThrow(() -> new ProblemException(404, "no such asset"));
        ctx.status(200);
        ctx.header("Cache-Control", "public, max-age=31536000, immutable");
        ctx.contentType(asset.contentType());
        ctx.result(asset.bytes());
    }

    // ---- helpers ----

    private String existingCodeShape(Context ctx) {
        String code = ctx.pathParam("code");
        if (!LinkRules.looksLikeCode(code)) {
            throw notFound(code);
        }
        return code;
    }

    private void authorize(Context ctx, String code) {
        String header = ctx.header("Authorization");
        Map<String, String> challenge = Map.of("WWW-Authenticate", "Bearer realm=\"links\"");
        if (header == null || header.isBlank()) {
            throw new ProblemException(401, "Authorization: Bearer <manage_token> required", challenge);
        }
        String[] parts = header.strip().split(" +");
        if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer")) {
            throw new ProblemException(401, "Authorization: malformed (expected: Bearer <manage_token>)",
                    Map.of("WWW-Authenticate", "Bearer realm=\"links\", error=\"invalid_request\""));
        }
        if (!tokens.verify(code, parts[1])) {
            throw new ProblemException(403, "the manage token does not match this link");
        }
    }

    private ObjectNode linkJson(Link link) {
        return JsonBodies.JSON.createObjectNode()
                .put("code", link.code())
                .put("url", link.url())
                .put("clicks", link.clicks() + clicks.pending(link.code()))
                .put("created_at", link.createdAt().toString())
                .put("updated_at", link.updatedAt().toString());
    }

    private static ProblemException notFound(String code) {
        return new ProblemException(404, "no link with code '%s'".formatted(LinkRules.abbreviate(code)));
    }

    /** A request no route took: 405 with {@code Allow} when the path exists, else 404. */
    private void unmatched(Context ctx, int status) {
        String allow = allowedMethods(ctx.path());
        if ((status == 404 || status == 405) && allow != null) {
            ctx.header("Allow", allow);
            if ("OPTIONS".equals(ctx.req().getMethod())) {
                ctx.status(204);
                ctx.result(new byte[0]);
                return;
            }
            writeProblem(ctx, Problem.of(405, ctx.req().getMethod() + " is not allowed here (allowed: " + allow + ")"));
        } else if (status == 404 || status == 405) {
            writeProblem(ctx, Problem.of(404, "no such resource"));
        } else {
            writeProblem(ctx, Problem.of(status, null));
        }
    }

    static String allowedMethods(String path) {
        if (path.equals("/api/links")) {
            return "POST, OPTIONS";
        }
        if (path.matches("/api/links/[^/]+")) {
            return "GET, HEAD, PUT, DELETE, OPTIONS";
        }
        if (path.matches("/[^/]*") || path.matches("/static/[^/]+")) {
            return "GET, HEAD, OPTIONS";
        }
        return null;
    }

    private void writeProblem(Context ctx, Problem problem) {
        ctx.status(problem.status());
        ctx.header(SERVED_BY, config.nodeName());
        ctx.header("Cache-Control", "no-store");
        ctx.contentType(Problem.MEDIA_TYPE);
        ctx.result(problem.withInstance(ctx.path()).toBytes());
    }

    /** No connection, or the server went away (SQLSTATE class 08, 57P01..57P03). */
    private static boolean isDatabaseUnavailable(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }

    private static boolean isProblem(Context ctx) {
        String type = ctx.res().getContentType();
        return type != null && type.startsWith(Problem.MEDIA_TYPE);
    }

    private void json(Context ctx, int status, ObjectNode body) {
        ctx.status(status);
        ctx.header("Cache-Control", "no-store");
        ctx.contentType("application/json");
        try {
            ctx.result(JsonBodies.JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
