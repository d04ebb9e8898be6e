package dev.strata.links.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.data.testing.PostgresExtension;
import dev.strata.links.LinksNode;
import dev.strata.links.TestClient;
import dev.strata.links.TestNodes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class LinksApiTest {

    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();
    private static final ObjectMapper JSON = new ObjectMapper();

    static LinksNode node;
    static TestClient http;

    @BeforeAll
    static void start() {
        node = LinksNode.start(TestNodes.config("links-t"), PG.dataConfig());
        http = new TestClient(node);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    @Test
    void createRedirectStatsUpdateDelete() throws Exception {
        HttpResponse<String> created = http.postJson("/api/links", "{\"url\":\"https://example.com/a?b=c\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        JsonNode link = JSON.readTree(created.body());
        String code = link.get("code").asText();
        String token = link.get("manage_token").asText();
        assertThat(code).matches("[0-9A-Za-z]{7}");
        assertThat(link.get("url").asText()).isEqualTo("https://example.com/a?b=c");
        assertThat(link.get("short_url").asText()).isEqualTo(node.url() + "/" + code);
        assertThat(created.headers().firstValue("Location")).contains(node.url() + "/api/links/" + code);
        assertThat(created.headers().firstValue("X-Served-By")).contains("links-t");

        HttpResponse<String> redirect = http.get("/" + code);
        assertThat(redirect.statusCode()).isEqualTo(302);
        assertThat(redirect.headers().firstValue("Location")).contains("https://example.com/a?b=c");
        assertThat(redirect.headers().firstValue("Cache-Control")).contains("public, max-age=60");
        assertThat(redirect.headers().firstValue("Surrogate-Key")).contains("link-" + code);
        assertThat(redirect.headers().firstValue("X-Served-By")).contains("links-t");
        assertThat(redirect.headers().firstValue("Content-Type")).as("a redirect without a body has no type").isEmpty();

        HttpResponse<String> stats = http.get("/api/links/" + code);
        assertThat(stats.statusCode()).isEqualTo(200);
        JsonNode s = JSON.readTree(stats.body());
        assertThat(s.get("code").asText()).isEqualTo(code);
        assertThat(s.get("clicks").asLong()).isEqualTo(1);
        assertThat(s.get("created_at").asText()).isNotEmpty();
        assertThat(s.get("updated_at").asText()).isNotEmpty();
        assertThat(stats.headers().firstValue("Cache-Control")).contains("public, max-age=60");
        assertThat(stats.headers().firstValue("Surrogate-Key")).contains("link-" + code);

        HttpResponse<String> updated = http.putJson("/api/links/" + code, "{\"url\":\"http://example.org/\"}",
                "Authorization", "Bearer " + token);
        assertThat(updated.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(updated.body()).get("url").asText()).isEqualTo("http://example.org/");
        assertThat(updated.headers().firstValue("Strata-Invalidate-Tags")).contains("link-" + code);
        assertThat(http.get("/" + code).headers().firstValue("Location")).contains("http://example.org/");

        HttpResponse<String> deleted = http.delete("/api/links/" + code, "Authorization", "Bearer " + token);
        assertThat(deleted.statusCode()).isEqualTo(204);
        assertThat(deleted.headers().firstValue("Content-Type")).as("a 204 has no type").isEmpty();
        assertThat(deleted.headers().firstValue("Strata-Invalidate-Tags")).contains("link-" + code);
        assertProblem(http.get("/" + code), 404);
        assertProblem(http.get("/api/links/" + code), 404);
        assertProblem(http.delete("/api/links/" + code, "Authorization", "Bearer " + token), 404);
    }

    @Test
    void aChosenCodeIsKeptAndATakenOneConflicts() throws Exception {
        HttpResponse<String> created = http.postJson("/api/links", "{\"url\":\"https://example.com/\",\"code\":\"my-Code_1\"}");
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(JSON.readTree(created.body()).get("code").asText()).isEqualTo("my-Code_1");
        assertProblem(http.postJson("/api/links", "{\"url\":\"https://other.example/\",\"code\":\"my-Code_1\"}"), 409);
        assertThat(http.get("/my-Code_1").headers().firstValue("Location")).contains("https://example.com/");
    }

    @Test
    void changesNeedTheLinksOwnToken() throws Exception {
        String a = createdCode("https://example.com/a");
        String tokenOfB = JSON.readTree(http.postJson("/api/links", "{\"url\":\"https://example.com/b\"}").body())
                .get("manage_token").asText();
        HttpResponse<String> missing = http.putJson("/api/links/" + a, "{\"url\":\"https://x.example/\"}");
        assertProblem(missing, 401);
        assertThat(missing.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        HttpResponse<String> malformed = http.delete("/api/links/" + a, "Authorization", "Basic dXNlcjpwYXNz");
        assertProblem(malformed, 401);
        assertThat(malformed.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertProblem(http.delete("/api/links/" + a, "Authorization", "Bearer " + tokenOfB), 403);
        assertProblem(http.putJson("/api/links/" + a, "{\"url\":\"https://x.example/\"}", "Authorization", "Bearer nope"), 403);
        assertThat(http.get("/" + a).statusCode()).isEqualTo(302);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"url\":\"ftp://example.com/\"}",
            "{\"url\":\"/relative/path\"}",
            "{\"url\":\"https://\"}",
            "{\"url\":\"https:///nohost\"}",
            "{\"url\":\"https://exa mple.com/\"}",
            "{\"url\":\"https://example.com/\\u0007\"}",
            "{\"url\":\"https://example.com/\\n\"}",
            "{\"url\":\"\"}",
            "{\"url\":\"javascript:alert(1)\"}",
            "{\"url\":\"https://example.com/\",\"code\":\"ab\"}",
            "{\"url\":\"https://example.com/\",\"code\":\"has/slash\"}",
            "{\"url\":\"https://example.com/\",\"code\":\"with.dot\"}",
            "{\"url\":\"https://example.com/\",\"code\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}",
            "{\"url\":\"https://example.com/\",\"code\":\"api\"}",
            "{\"url\":\"https://example.com/\",\"code\":\"HEALTHZ\"}",
            "{\"url\":\"https://example.com/\",\"code\":\"static\"}",
            "{\"url\":\"https://example.com/\",\"code\":\"_strata\"}",
            "{\"url\":\"https://example.com/\",\"code\":\"metrics\"}",
            "{\"url\":\"https://example.com/\",\"code\":\"admin\"}",
            "{\"url\":\"https://example.com/\",\"code\":7}",
            "{\"url\":42}",
            "{\"url\":[\"https://example.com/\"]}",
            "{\"url\":\"https://example.com/\",\"extra\":true}",
            "{\"code\":\"abc\"}",
            "{\"url\":\"https://example.com/\",\"url\":\"https://example.org/\"}",
            "[\"https://example.com/\"]",
            "\"https://example.com/\"",
            "{\"url\":\"https://example.com/\"",
            "{\"url\":\"https://example.com/\"} {}",
            "not json",
            ""
    })
    void badCreateInputIsA400Problem(String body) {
        assertProblem(http.postJson("/api/links", body), 400);
    }

    @Test
    void aTooLongUrlIsRejected() {
        String url = "https://example.com/" + "a".repeat(2049 - "https://example.com/".length());
        assertProblem(http.postJson("/api/links", "{\"url\":\"" + url + "\"}"), 400);
        String longest = "https://example.com/" + "a".repeat(2048 - "https://example.com/".length());
        assertThat(http.postJson("/api/links", "{\"url\":\"" + longest + "\"}").statusCode()).isEqualTo(201);
    }

    @Test
    void badUpdateInputIsA400Problem() throws Exception {
        HttpResponse<String> created = http.postJson("/api/links", "{\"url\":\"https://example.com/\"}");
        JsonNode link = JSON.readTree(created.body());
        String path = "/api/links/" + link.get("code").asText();
        String auth = "Bearer " + link.get("manage_token").asText();
        assertProblem(http.putJson(path, "{\"url\":\"mailto:x@example.com\"}", "Authorization", auth), 400);
        assertProblem(http.putJson(path, "{\"url\":\"https://example.com/\",\"code\":\"other\"}", "Authorization", auth), 400);
        assertProblem(http.putJson(path, "{}", "Authorization", auth), 400);
        assertProblem(http.putJson(path, "{\"url\":\"https://example.com/\"}", "Authorization", auth, "Content-Type", "text/plain"), 415);
    }

    @ParameterizedTest
    @CsvSource({"text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1", "application/jsonx"})
    void otherMediaTypesAre415(String contentType) {
        assertProblem(http.postJson("/api/links", "{\"url\":\"https://example.com/\"}", "Content-Type", contentType), 415);
    }

    @Test
    void aMissingContentTypeIs415() {
        assertProblem(http.send("POST", "/api/links", "{\"url\":\"https://example.com/\"}"), 415);
    }

    @Test
    void jsonWithCharsetUtf8IsAccepted() {
        assertThat(http.postJson("/api/links", "{\"url\":\"https://example.com/\"}",
                "Content-Type", "Application/JSON; charset=UTF-8").statusCode()).isEqualTo(201);
    }

    @Test
    void aBodyOverTheLimitIs413WhetherDeclaredOrStreamed() {
        String big = "{\"url\":\"https://example.com/\",\"code\":\"" + "x".repeat(17 * 1024) + "\"}";
        assertProblem(http.postJson("/api/links", big), 413);
        HttpRequest chunked = HttpRequest.newBuilder(http.uri("/api/links"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new InputStream() {
                    private long left = 1024 * 1024;

                    @Override
                    public int read() {
                        return left-- > 0 ? ' ' : -1;
                    }
                }))
                .build();
        assertProblem(http.send(chunked), 413);
    }

    @Test
    void aClientStillSendingABodyOverTheLimitGetsThe413() throws Exception {
        String chunk = "4000\r\n" + " ".repeat(0x4000) + "\r\n";
        try (Socket s = new Socket("127.0.0.1", node.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /api/links HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n" + chunk.repeat(4)).getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            Thread.sleep(300); // the server has read past the limit by now; the client sends on
            out.write((chunk.repeat(60) + "0\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            byte[] head = new byte[12];
            int n = s.getInputStream().readNBytes(head, 0, head.length);
            assertThat(new String(head, 0, n, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 413");
        }
    }

    @Test
    void aBodyOverTheLimitThatWaitsFor100ContinueIsRefusedAtOnce() throws IOException {
        String response = http.raw("POST /api/links HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                + "Content-Length: 1048576\r\nExpect: 100-continue\r\n\r\n");
        assertThat(response).startsWith("HTTP/1.1 413 ").contains("application/problem+json");
    }

    @Test
    void unknownPathsAre404Problems() {
        assertProblem(http.get("/a/b/c"), 404);
        assertProblem(http.get("/api/links/a/b"), 404);
        assertProblem(http.get("/no-such-code"), 404);
        assertProblem(http.get("/x"), 404);
        assertProblem(http.get("/api"), 404);
        assertProblem(http.get("/static/app.0000000000.js"), 404);
    }

    @Test
    void wrongMethodsOnKnownPathsAre405WithAllow() {
        HttpResponse<String> r = http.get("/api/links");
        assertProblem(r, 405);
        assertThat(r.headers().firstValue("Allow")).hasValueSatisfying(v -> assertThat(v).contains("POST"));
        HttpResponse<String> post = http.postJson("/api/links/abcdef", "{}");
        assertProblem(post, 405);
        assertThat(post.headers().firstValue("Allow")).hasValueSatisfying(v -> assertThat(v).contains("GET").contains("PUT").contains("DELETE"));
        HttpResponse<String> patch = http.send("PATCH", "/abcdef", "{}", "Content-Type", "application/json");
        assertProblem(patch, 405);
        assertThat(patch.headers().firstValue("Allow")).hasValueSatisfying(v -> assertThat(v).contains("GET"));
        assertProblem(http.delete("/healthz"), 405);
    }

    @Test
    void malformedRequestsGetProblemsNotJettyPages() throws IOException {
        String badUri = http.raw("GET /%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertRawProblem(badUri, 400);
        String bigHeader = http.raw("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20 * 1024) + "\r\nConnection: close\r\n\r\n");
        assertRawProblem(bigHeader, 431);
        String garbage = http.raw("BLAH\r\n\r\n");
        assertRawProblem(garbage, 400);
    }

    @Test
    void healthAndReadiness() {
        HttpResponse<String> health = http.get("/healthz");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.headers().firstValue("X-Served-By")).contains("links-t");
        assertThat(http.get("/readyz").statusCode()).isEqualTo(200);
    }

    @Test
    void thePageAndItsAssets() {
        HttpResponse<String> page = http.get("/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(page.headers().firstValue("X-Served-By")).contains("links-t");
        Matcher js = Pattern.compile("/static/(app\\.[0-9a-f]{10}\\.js)").matcher(page.body());
        Matcher css = Pattern.compile("/static/(app\\.[0-9a-f]{10}\\.css)").matcher(page.body());
        assertThat(js.find()).isTrue();
        assertThat(css.find()).isTrue();
        for (String path : new String[] {js.group(), css.group()}) {
            HttpResponse<String> asset = http.get(path);
            assertThat(asset.statusCode()).isEqualTo(200);
            assertThat(asset.headers().firstValue("Cache-Control")).contains("public, max-age=31536000, immutable");
            assertThat(asset.body()).isNotEmpty();
        }
        assertThat(http.get(js.group()).headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/javascript"));
    }

    private String createdCode(String url) throws IOException {
        HttpResponse<String> r = http.postJson("/api/links", "{\"url\":\"" + url + "\"}");
        assertThat(r.statusCode()).isEqualTo(201);
        return JSON.readTree(r.body()).get("code").asText();
    }

    static void assertProblem(HttpResponse<String> r, int status) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/problem+json"));
        assertThat(r.headers().firstValue("X-Served-By")).as("X-Served-By on " + status).contains("links-t");
        try {
            JsonNode p = JSON.readTree(r.body());
            assertThat(p.get("status").asInt()).isEqualTo(status);
            assertThat(p.get("title").asText()).isNotEmpty();
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
        assertThat(r.body()).doesNotContain("at dev.").doesNotContain("Exception");
    }

    static void assertRawProblem(String response, int status) {
        assertThat(response).as(response).startsWith("HTTP/1.1 " + status);
        String lower = response.toLowerCase();
        assertThat(lower).as(response).contains("content-type: application/problem+json").contains("x-served-by: links-t");
        assertThat(lower).doesNotContain("<html");
    }
}
