package dev.strata.gateway.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.admin.AdminReply;
import dev.strata.gateway.admin.AdminRequest;
import dev.strata.gateway.admin.AdminResource;
import dev.strata.gateway.config.GatewayConfig;
import dev.strata.gateway.filter.builtin.BuiltInFilters;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.Servers;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Admin resources that filters bring: served while a generation that registers them is current, with the
 * listener's method check, token rule for mutating calls and clean errors; never from the warm-up.
 */
class AdminResourceTest {

    @RegisterExtension
    final Servers servers = new Servers();

    /** A resource that echoes its calls; {@code POST} with body {@code bad} is a 400, {@code boom} a 500. */
    static final class Echo implements AdminResource {
        final List<AdminRequest> calls = new CopyOnWriteArrayList<>();

        @Override
        public String path() {
            return "/_strata/echo";
        }

        @Override
        public Set<String> methods() {
            return Set.of("GET", "POST");
        }

        @Override
        public CompletionStage<AdminReply> handle(AdminRequest request) {
            calls.add(request);
            if (request.bodyText().equals("bad")) {
                throw new IllegalArgumentException("body: bad (expected: good)");
            }
            if (request.bodyText().equals("boom")) {
                return CompletableFuture.failedFuture(new IllegalStateException("secret internals"));
            }
            return CompletableFuture.supplyAsync(() -> AdminReply.json(200,
                    "{\"method\":\"" + request.method() + "\",\"query\":\"" + request.query() + "\",\"body\":\""
                            + request.bodyText() + "\"}"));
        }
    }

    private final Echo echo = new Echo();
    private final List<Boolean> registeredIn = new CopyOnWriteArrayList<>();
    private Origin origin;

    private FilterTypes types() {
        return BuiltInFilters.types().with(TestFilters.type("echoing", WarmupMode.THROWAWAY_STATE, build -> {
            registeredIn.add(build.warmup());
            build.admin(build.state("echo", Echo.class, () -> echo));
            return context -> Verdict.CONTINUE;
        }));
    }

    @BeforeEach
    void origin() throws IOException {
        origin = servers.origin("o");
    }

    private GatewayConfig config(String filters, boolean warmup) {
        return Configs.gateway("  admin: {address: 127.0.0.1:0, token: tok}\n"
                + (warmup ? "  warmup: {enabled: true, max_time: 1s}\n" : "")
                + "  routes:\n    - {name: a, path_prefix: /a, filters: [" + filters + "]}\n"
                + "    - {name: b, path_prefix: /b, filters: [" + filters + "]}\n", origin.address());
    }

    @Test
    void aRegisteredResourceIsServedWithTheListenersRules() throws Exception {
        Gateway g = servers.gateway(config("{echoing: {}}", true), types());
        InetSocketAddress admin = g.adminAddress();
        assertThat(registeredIn).as("built for the warm-up and for real, on two routes").contains(true, false);

        RawClient.Response get = call(admin, "GET /_strata/echo?top=3 HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.header("content-type")).isEqualTo("application/json");
        assertThat(get.header("cache-control")).isEqualTo("no-store");
        assertThat(get.header("date")).as("every admin answer is dated").isNotBlank();
        assertThat(get.text()).isEqualTo("{\"method\":\"GET\",\"query\":\"top=3\",\"body\":\"\"}");

        RawClient.Response head = call(admin, "HEAD /_strata/echo HTTP/1.1\r\nHost: a\r\n\r\n", true);
        assertThat(head.status()).isEqualTo(200);
        assertThat(echo.calls.get(echo.calls.size() - 1).method()).as("HEAD is served as GET").isEqualTo("GET");

        RawClient.Response post = call(admin, post("x=1", "Content-Type: application/json\r\n"));
        assertThat(post.text()).contains("\"method\":\"POST\"", "\"body\":\"x=1\"");

        RawClient.Response put = call(admin, "PUT /_strata/echo HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n");
        assertThat(put.status()).isEqualTo(405);
        assertThat(put.header("allow")).isEqualTo("GET, POST");

        int before = echo.calls.size();
        RawClient.Response noToken = call(admin, postWithout("x", "Origin: http://evil.example\r\n"));
        assertThat(noToken.status()).isEqualTo(403);
        assertThat(noToken.header("content-type")).isEqualTo("application/problem+json");
        assertThat(call(admin, postWithout("x", "Authorization: Bearer nope\r\n")).status()).isEqualTo(403);
        assertThat(echo.calls).as("refused calls never reach the resource").hasSize(before);

        RawClient.Response bad = call(admin, post("bad", ""));
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.text()).contains("body: bad (expected: good)");
        RawClient.Response boom = call(admin, post("boom", ""));
        assertThat(boom.status()).isEqualTo(500);
        assertThat(boom.text()).doesNotContain("secret", "IllegalState");
    }

    @Test
    void aReloadWithoutTheFilterTakesTheResourceAway() throws Exception {
        Gateway g = servers.gateway(config("{echoing: {}}", false), types());
        InetSocketAddress admin = g.adminAddress();
        assertThat(call(admin, "GET /_strata/echo HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
        g.reload(config("{headers: {response: {set: {X-A: b}}}}", false));
        assertThat(call(admin, "GET /_strata/echo HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(404);
        g.reload(config("{echoing: {}}", false));
        assertThat(call(admin, "GET /_strata/echo HTTP/1.1\r\nHost: a\r\n\r\n").status()).isEqualTo(200);
    }

    @Test
    void aReadOnlyJsonResourceIsOneLineAndGetsTheSameRules() throws Exception {
        FilterTypes types = BuiltInFilters.types().with(TestFilters.type("showing", WarmupMode.THROWAWAY_STATE, build -> {
            build.admin(build.state("shown", AdminResource.class, () -> AdminResource.json("/_strata/shown", request -> {
                if ("bad".equals(request.query())) {
                    throw new IllegalArgumentException("query: bad (expected: good)");
                }
                return "{\"query\":\"" + request.query() + "\"}";
            })));
            return context -> Verdict.CONTINUE;
        }));
        InetSocketAddress admin = servers.gateway(config("{showing: {}}", false), types).adminAddress();

        RawClient.Response get = call(admin, "GET /_strata/shown?good HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(get.status()).isEqualTo(200);
        assertThat(get.header("content-type")).isEqualTo("application/json");
        assertThat(get.header("cache-control")).isEqualTo("no-store");
        assertThat(get.text()).isEqualTo("{\"query\":\"good\"}");
        assertThat(call(admin, "HEAD /_strata/shown HTTP/1.1\r\nHost: a\r\n\r\n", true).status()).isEqualTo(200);

        RawClient.Response post = call(admin, "POST /_strata/shown HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer tok\r\n"
                + "Content-Length: 0\r\n\r\n");
        assertThat(post.status()).isEqualTo(405);
        assertThat(post.header("allow")).isEqualTo("GET");

        RawClient.Response bad = call(admin, "GET /_strata/shown?bad HTTP/1.1\r\nHost: a\r\n\r\n");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.header("content-type")).isEqualTo("application/problem+json");
        assertThat(bad.text()).contains("query: bad (expected: good)");
    }

    @Test
    void twoResourcesOnOnePathAreRefused() throws Exception {
        FilterTypes types = BuiltInFilters.types().with(TestFilters.type("twice", WarmupMode.THROWAWAY_STATE, build -> {
            build.admin(new Echo()); // a new object per route: the second route's clashes with the first's
            return context -> Verdict.CONTINUE;
        }));
        assertThatThrownBy(() -> servers.gateway(config("{twice: {}}", false), types))
                .hasStackTraceContaining("admin resource /_strata/echo: registered twice");
    }

    private static String post(String body, String fields) {
        return postWithout(body, "Authorization: Bearer tok\r\n" + fields);
    }

    private static String postWithout(String body, String fields) {
        return "POST /_strata/echo HTTP/1.1\r\nHost: a\r\n" + fields + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    private static RawClient.Response call(InetSocketAddress admin, String request) throws IOException {
        return call(admin, request, false);
    }

    private static RawClient.Response call(InetSocketAddress admin, String request, boolean head) throws IOException {
        try (RawClient c = new RawClient(admin)) {
            return c.send(request).read(head);
        }
    }
}
