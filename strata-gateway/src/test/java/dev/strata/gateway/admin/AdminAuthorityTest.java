package dev.strata.gateway.admin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.Servers;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Who may change the gateway through the admin API: only a caller with the token, so that a page in a
 * browser on the same host cannot (it cannot send {@code Authorization} cross-site without a preflight);
 * without a token configured, nobody. Also what a failed reload says, and the listener's own 413.
 */
class AdminAuthorityTest {

    private static final String TOKEN = "s3cret-token";

    @RegisterExtension
    static final Servers servers = new Servers();

    @TempDir
    static Path dir;

    static Path file;
    static Gateway gateway;
    static InetSocketAddress admin;

    @BeforeAll
    static void start() throws Exception {
        Origin o = servers.origin("o");
        file = dir.resolve("strata.yaml");
        gateway = servers.gateway(file, config(o.address(), TOKEN));
        admin = gateway.adminAddress();
    }

    private static String config(String endpoint, String token) {
        return """
                gateway:
                  io_threads: 1
                  listeners: [{name: main, address: 127.0.0.1:0}]
                  admin: {address: 127.0.0.1:0, token: "%s"}
                  access_log: {enabled: false}
                  warmup: {enabled: false}
                  upstreams:
                    app: {endpoints: [%s], health: {active: {enabled: false}}}
                """.formatted(token, endpoint);
    }

    /** A reload with the token and {@code fields}. */
    private static RawClient.Response reload(String fields) throws Exception {
        return reloadWithout("Authorization: Bearer " + TOKEN + "\r\n" + fields);
    }

    private static RawClient.Response reloadWithout(String fields) throws Exception {
        return reloadAt(admin, fields);
    }

    private static RawClient.Response reloadAt(InetSocketAddress admin, String fields) throws Exception {
        try (RawClient c = new RawClient(admin)) {
            return c.send("POST /_strata/reload HTTP/1.1\r\nHost: 127.0.0.1:" + admin.getPort() + "\r\n" + fields
                    + "Content-Length: 0\r\n\r\n").read();
        }
    }

    @Test
    void aChangeWithoutTheTokenIsRefusedFromAnyOriginAndAReadNeedsNone() throws Exception {
        for (String fields : new String[] {"", "Content-Type: application/json\r\n",
                "Origin: http://evil.example\r\nContent-Type: text/plain\r\n",
                "Origin: http://127.0.0.1:" + admin.getPort() + "\r\n", "Authorization: Bearer wrong\r\n",
                "Authorization: bearer " + TOKEN + "\r\n", "Authorization: Bearer " + TOKEN + "x\r\n"}) {
            RawClient.Response r = reloadWithout(fields);
            assertThat(r.status()).as(fields).isEqualTo(403);
            assertThat(r.header("content-type")).isEqualTo("application/problem+json");
            assertThat(r.text()).contains("a valid admin token is required");
        }
        try (RawClient c = new RawClient(admin)) {
            assertThat(c.send("GET /_strata/upstreams HTTP/1.1\r\nHost: a\r\n\r\n").read().status()).isEqualTo(200);
        }
    }

    @Test
    void theTokenIsEnoughWhateverTheOriginOrType() throws Exception {
        assertThat(reload("").status()).isEqualTo(200);
        assertThat(reload("Content-Type: application/json\r\n").status()).isEqualTo(200);
        assertThat(reload("Origin: http://127.0.0.1:" + admin.getPort() + "\r\n").status()).isEqualTo(200);
    }

    @Test
    void withoutAConfiguredTokenNoCallMayChangeTheGateway(@TempDir Path other) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv("STRATA_ADMIN_TOKEN") == null,
                "STRATA_ADMIN_TOKEN in this environment gives every gateway a token");
        Path f = other.resolve("no-token.yaml");
        Gateway g = servers.gateway(f, config(servers.origin("o2").address(), ""));
        RawClient.Response r = reloadAt(g.adminAddress(), "");
        assertThat(r.status()).as("not even curl's plain POST").isEqualTo(403);
        assertThat(r.text()).contains("needs a token: set admin.token or STRATA_ADMIN_TOKEN");
        assertThat(reloadAt(g.adminAddress(), "Authorization: Bearer \r\n").status()).isEqualTo(403);
    }

    @Test
    void aFailedReloadNamesTheKeyWithoutJavaNamesOrTheFilesText() throws Exception {
        String good = Files.readString(file);
        try {
            Files.writeString(file, "gateway:\n  nonsense: 1\n");
            RawClient.Response unknown = reload("");
            assertThat(unknown.status()).isEqualTo(400);
            assertThat(unknown.text()).contains("gateway.nonsense (line 2, column 3): unknown key (expected one of: ").doesNotContain("dev.strata")
                    .doesNotContain("class").doesNotContain("Exception");
            Files.writeString(file, "gateway:\n  limits: {max_connections: 0}\n");
            RawClient.Response invalid = reload("");
            assertThat(invalid.status()).isEqualTo(400);
            assertThat(invalid.text()).contains("gateway.limits.max_connections (line ", "0 (expected: > 0)").doesNotContain("dev.strata")
                    .doesNotContain("Config`");
            Files.writeString(file, "gateway:\n  limits: [unclosed\n  secret: hunter2\n");
            RawClient.Response yaml = reload("");
            assertThat(yaml.status()).isEqualTo(400);
            assertThat(yaml.text()).contains("not valid YAML").doesNotContain("hunter2").doesNotContain("unclosed")
                    .doesNotContain("dev.strata").doesNotContain("Exception");
        } finally {
            Files.writeString(file, good);
        }
    }

    @Test
    void anOversizedAdminRequestIsAProblemAnd413AndCloses() throws Exception {
        try (RawClient c = new RawClient(admin)) {
            RawClient.Response r = c.send("POST /_strata/reload HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n"
                    + "x".repeat(100_000)).read();
            assertThat(r.status()).isEqualTo(413);
            assertThat(r.header("content-type")).isEqualTo("application/problem+json");
            assertThat(r.header("connection")).isEqualTo("close");
            assertThat(c.closedByPeer()).isTrue();
        }
        try (RawClient c = new RawClient(admin)) {
            c.send("POST /_strata/reload HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n");
            String status = new String(c.socket().getInputStream().readNBytes(40), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(status).startsWith("HTTP/1.1 413 Content Too Large\r\n");
        }
    }
}
