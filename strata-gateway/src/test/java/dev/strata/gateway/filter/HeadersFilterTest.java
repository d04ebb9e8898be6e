package dev.strata.gateway.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.config.GatewayConfig;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.OriginAndGateway;
import dev.strata.gateway.testing.Patterns;
import dev.strata.gateway.testing.RawClient;
import java.util.zip.CRC32;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The {@code headers} filter over real sockets: what the origin and the client get. */
class HeadersFilterTest {

    private static final String ROUTES = """
              filters:
                - headers: {response: {set: {X-Frame-Options: DENY}}}
              routes:
                - name: edit
                  path_prefix: /edit
                  filters:
                    - headers:
                        request:
                          set: {X-Set: one}
                          add: {X-Added: extra}
                          remove: [X-Drop]
                        response:
                          set: {X-Served-By: edited}
                          add: {X-Resp-Added: "yes"}
                          remove: [X-Kept]
                - name: set-host
                  path_prefix: /set-host
                  filters: [{headers: {request: {set: {Host: internal.example}}}}]
                - name: drop-host
                  path_prefix: /drop-host
                  filters: [{headers: {request: {remove: [Host]}}}]
                - name: hop
                  path_prefix: /hop
                  filters:
                    - headers: {response: {remove: [X-Kept]}}
                - name: small
                  path_prefix: /small
                  max_body: 10
                - name: framing
                  path_prefix: /framing
                  filters:
                    - headers:
                        request:
                          set: {Content-Length: "3", Transfer-Encoding: chunked, Connection: close}
                        response:
                          set: {Content-Length: "1", Transfer-Encoding: identity, Connection: close}
                          remove: [Content-Length, Transfer-Encoding]
                - name: framing-bytes
                  path_prefix: /bytes
                  filters:
                    - headers:
                        response:
                          set: {Content-Length: "1", Transfer-Encoding: identity, Connection: close}
                          remove: [Content-Length, Transfer-Encoding]
                - name: maintenance
                  path_prefix: /maintenance
                  respond: {status: 503, headers: {Retry-After: "120"}, body: "down for maintenance"}
                  filters:
                    - headers:
                        response:
                          set: {Cache-Control: no-store, Content-Length: "1", Connection: close}
                          add: {X-Maintenance: "yes"}
            """;

    @RegisterExtension
    static final OriginAndGateway env = new OriginAndGateway("o1", ROUTES);

    @Test
    void requestEditsReachTheOriginAsConfigured() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("GET /edit/a HTTP/1.1\r\nHost: a\r\nX-Set: a\r\nX-Set: b\r\n"
                    + "X-Added: mine\r\nX-Drop: gone\r\nX-Other: kept\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
        }
        Origin.Seen s = env.origin().seen().get(0);
        assertThat(s.headers().entrySet()).filteredOn(e -> e.getKey().equalsIgnoreCase("x-set"))
                .singleElement().satisfies(e -> assertThat(e.getValue()).containsExactly("one"));
        assertThat(s.headers().entrySet()).filteredOn(e -> e.getKey().equalsIgnoreCase("x-added"))
                .singleElement().satisfies(e -> assertThat(e.getValue()).containsExactly("mine", "extra"));
        assertThat(s.header("x-drop")).isNull();
        assertThat(s.header("x-other")).isEqualTo("kept");
        assertThat(s.header("host")).isEqualTo("a");
    }

    @Test
    void requestEditsAddTheFieldWhenTheClientSentNone() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            assertThat(c.send("GET /edit/b HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
        }
        Origin.Seen s = env.origin().seen().get(0);
        assertThat(s.header("x-set")).isEqualTo("one");
        assertThat(s.header("x-added")).isEqualTo("extra");
    }

    @Test
    void responseEditsReachTheClient() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("GET /edit/c HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).startsWith("o1 GET /edit/c");
            assertThat(r.headers("x-served-by")).containsExactly("edited");
            assertThat(r.headers("x-resp-added")).containsExactly("yes");
            assertThat(r.headers("x-frame-options")).as("the gateway's own filters").containsExactly("DENY");

            RawClient.Response hop = c.send("GET /hop HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(hop.status()).isEqualTo(200);
            assertThat(hop.header("x-kept")).as("removed").isNull();
            assertThat(hop.header("x-served-by")).isEqualTo("o1");
        }
    }

    @Test
    void responseEditsApplyToTheGatewaysOwnAnswerOnARoute() throws Exception {
        // a chunked body over the route's max_body is refused after the filters ran
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("POST /small HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "14\r\n" + "x".repeat(20) + "\r\n0\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.header("content-type")).isEqualTo("application/problem+json");
            assertThat(r.header("x-frame-options")).isEqualTo("DENY");
        }
        assertThat(env.origin().seen()).isEmpty();
    }

    @Test
    void responseEditsApplyToTheGatewaysOwnAnswerForAnUnroutedPath() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("GET /nowhere HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(404);
            assertThat(r.header("content-type")).isEqualTo("application/problem+json");
            assertThat(r.header("x-frame-options")).as("the gateway's filters: response edits on every response")
                    .isEqualTo("DENY");
        }
    }

    @Test
    void responseEditsApplyToARespondRoute() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("GET /maintenance HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(503);
            assertThat(r.text()).isEqualTo("down for maintenance");
            assertThat(r.header("retry-after")).isEqualTo("120");
            assertThat(r.header("cache-control")).isEqualTo("no-store");
            assertThat(r.header("x-maintenance")).isEqualTo("yes");
            assertThat(r.header("x-frame-options")).isEqualTo("DENY");
            // framing stays the gateway's: the configured Content-Length and Connection do not reach the wire
            assertThat(r.headers("content-length")).containsExactly(Integer.toString("down for maintenance".length()));
            assertThat(r.header("connection")).isNull();
            assertThat(c.send("GET /maintenance HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(503);
        }
        assertThat(env.origin().seen()).isEmpty();
    }

    @Test
    void hostCanBeSetAndXForwardedHostStillNamesTheClients() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            assertThat(c.send("GET /set-host HTTP/1.1\r\nHost: shop.test\r\n\r\n").read().status()).isEqualTo(200);
        }
        Origin.Seen s = env.origin().seen().get(0);
        assertThat(s.header("host")).isEqualTo("internal.example");
        assertThat(s.header("x-forwarded-host")).isEqualTo("shop.test");
    }

    @Test
    void removingHostStillSendsTheUpstreamAHost() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            assertThat(c.send("GET /drop-host HTTP/1.1\r\nHost: shop.test\r\n\r\n").read().status()).isEqualTo(200);
        }
        assertThat(env.origin().seen().get(0).header("host")).as("an HTTP/1.1 request carries a Host").isNotNull();
    }

    @Test
    void requestEditsCannotChangeFraming() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("POST /framing/cl HTTP/1.1\r\nHost: a\r\nContent-Length: 11\r\n\r\nhello world")
                    .read();
            assertThat(r.text()).isEqualTo("o1 POST /framing/cl 11 " + crc("hello world"));
            RawClient.Response chunked = c.send("POST /framing/te HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n").read();
            assertThat(chunked.text()).isEqualTo("o1 POST /framing/te 11 " + crc("hello world"));
        }
        Origin.Seen cl = env.origin().seen().get(0);
        assertThat(cl.header("content-length")).isEqualTo("11");
        assertThat(cl.header("transfer-encoding")).isNull();
        assertThat(cl.header("connection")).isNull();
        Origin.Seen te = env.origin().seen().get(1);
        assertThat(te.header("transfer-encoding")).isEqualToIgnoringCase("chunked");
        assertThat(te.header("content-length")).isNull();
    }

    @Test
    void responseEditsCannotChangeFraming() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response sized = c.send("GET /framing/sized HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(sized.status()).isEqualTo(200);
            assertThat(sized.text()).startsWith("o1 GET /framing/sized 0");
            assertThat(sized.headers("content-length")).containsExactly(Integer.toString(sized.body().length));
            assertThat(sized.header("transfer-encoding")).isNull();
            assertThat(sized.header("connection")).isNull();

            RawClient.Response chunked = c.send("GET /bytes/300000 HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(chunked.status()).isEqualTo(200);
            assertThat(chunked.headers("transfer-encoding")).containsExactly("chunked");
            assertThat(chunked.header("content-length")).isNull();
            assertThat(chunked.bodyLength()).isEqualTo(300000);
            assertThat(chunked.bodyCrc()).isEqualTo(Patterns.crc(300000));

            // the same connection goes on: Connection: close was not sent, nor acted on
            RawClient.Response body = c.send("GET /framing/x HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(body.status()).isEqualTo(200);
        }
    }

    @Test
    void invalidEditsAreRefusedAtStartNamingTheRouteAndFilter() {
        assertThatThrownBy(() -> start("""
                  routes:
                    - name: api
                      path_prefix: /
                      filters:
                        - headers: {request: {set: {"Bad Name": x}}}
                """))
                .hasMessageContaining("routes.api.filters.headers.request")
                .hasMessageContaining("Bad Name");
        assertThatThrownBy(() -> start("""
                  routes:
                    - name: web
                      path_prefix: /
                      filters:
                        - headers: {response: {add: {X-Split: "a\\r\\nSet-Cookie: evil=1"}}}
                """))
                .hasMessageContaining("routes.web.filters.headers.response")
                .hasMessageContaining("X-Split")
                .hasMessageContaining("CR, LF");
        assertThatThrownBy(() -> start("""
                  routes:
                    - name: web
                      path_prefix: /
                      filters:
                        - headers: {response: {remove: ["X:Colon"]}}
                """))
                .hasMessageContaining("routes.web.filters.headers.response")
                .hasMessageContaining("X:Colon");
        assertThatThrownBy(() -> start("""
                  routes:
                    - name: web
                      path_prefix: /
                      filters:
                        - headers: {reponse: {set: {X-A: b}}}
                """))
                .hasMessageContaining("routes.web.filters.headers")
                .hasMessageContaining("reponse");
    }

    @Test
    void anInvalidEditInAReloadIsRefusedAndTheRunningConfigurationStays() throws Exception {
        GatewayConfig bad = Configs.gateway("""
                  routes:
                    - name: web
                      path_prefix: /
                      filters:
                        - headers: {request: {set: {X-Bad: "a\\nb"}}}
                """, env.origin().address());
        assertThatThrownBy(() -> env.gateway().reload(bad))
                .hasMessageContaining("routes.web.filters.headers.request")
                .hasMessageContaining("X-Bad");
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("GET /edit/after HTTP/1.1\r\nHost: a\r\n\r\n").read();
            assertThat(r.headers("x-served-by")).containsExactly("edited");
        }
    }

    private static void start(String routes) {
        Gateway.start(Configs.gateway(routes, "127.0.0.1:9")).close();
    }

    private static long crc(String s) {
        CRC32 c = new CRC32();
        c.update(s.getBytes(StandardCharsets.UTF_8));
        return c.getValue();
    }
}
