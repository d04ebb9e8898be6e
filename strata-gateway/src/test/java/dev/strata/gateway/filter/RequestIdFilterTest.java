package dev.strata.gateway.filter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.testing.Await;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.OriginAndGateway;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.Servers;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The {@code request_id} filter over real sockets: the origin, the client and the access log see one id. */
class RequestIdFilterTest {

    private static final String HEX32 = "[0-9a-f]{32}";

    private static final Path LOG = tempFile();

    private static final String ROUTES = """
              routes:
                - name: default
                  path_prefix: /
                  filters: [{request_id: {}}]
                - name: untrusted
                  path_prefix: /untrusted
                  filters: [{request_id: {trust_incoming: false}}]
                - name: quiet
                  path_prefix: /quiet
                  filters: [{request_id: {header: X-Trace-Id, in_response: false}}]
                - name: answer
                  path_prefix: /answer
                  respond: {status: 200, body: ok}
                  filters: [{request_id: {}}]
            """;

    @RegisterExtension
    static final OriginAndGateway env = new OriginAndGateway("o1",
            "  access_log: {enabled: true, format: text, path: '" + LOG + "'}\n" + ROUTES);

    /** For the test that starts a gateway of its own, with another access log. */
    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void aRequestWithoutAnIdGetsOneThatTheOriginTheClientAndTheLogShare() throws Exception {
        RawClient.Response r = get("/generated", "");
        assertThat(r.status()).isEqualTo(200);
        String id = r.header("x-request-id");
        assertThat(id).matches(HEX32);
        assertThat(seen().header("x-request-id")).isEqualTo(id);
        assertThat(logLine("/generated")).contains(" request_id=" + id);
    }

    @Test
    void everyRequestGetsAnIdOfItsOwn() throws Exception {
        String a = get("/one", "").header("x-request-id");
        String b = get("/two", "").header("x-request-id");
        assertThat(a).matches(HEX32);
        assertThat(b).matches(HEX32).isNotEqualTo(a);
    }

    @Test
    void aSaneIncomingIdIsKept() throws Exception {
        RawClient.Response r = get("/kept", "X-Request-Id: trace-7f3a.b_9~Z\r\n");
        assertThat(r.header("x-request-id")).isEqualTo("trace-7f3a.b_9~Z");
        assertThat(seen().header("x-request-id")).isEqualTo("trace-7f3a.b_9~Z");
        assertThat(logLine("/kept")).contains(" request_id=trace-7f3a.b_9~Z");
    }

    @Test
    void theOriginGetsOneIdWhenTheClientSentTwo() throws Exception {
        RawClient.Response r = get("/twice", "X-Request-Id: first\r\nX-Request-Id: second\r\n");
        assertThat(r.headers("x-request-id")).containsExactly("first");
        assertThat(seen().headers().entrySet()).filteredOn(e -> e.getKey().equalsIgnoreCase("x-request-id"))
                .singleElement().satisfies(e -> assertThat(e.getValue()).containsExactly("first"));
    }

    @Test
    void anIncomingIdIsReplacedWhenNotTrusted() throws Exception {
        RawClient.Response r = get("/untrusted/x", "X-Request-Id: from-the-client\r\n");
        String id = r.header("x-request-id");
        assertThat(id).matches(HEX32);
        assertThat(seen().header("x-request-id")).isEqualTo(id);
        assertThat(logLine("/untrusted/x")).contains(" request_id=" + id).doesNotContain("from-the-client");
    }

    @Test
    void anInsaneIncomingIdIsReplaced() throws Exception {
        String tooLong = "a".repeat(201);
        RawClient.Response longId = get("/long", "X-Request-Id: " + tooLong + "\r\n");
        assertThat(longId.header("x-request-id")).matches(HEX32);
        assertThat(seen().header("x-request-id")).isEqualTo(longId.header("x-request-id"));

        RawClient.Response spaced = get("/spaced", "X-Request-Id: two words\r\n");
        assertThat(spaced.header("x-request-id")).matches(HEX32);
        assertThat(env.origin().seen().get(1).header("x-request-id")).isEqualTo(spaced.header("x-request-id"));
        assertThat(logLine("/spaced")).contains(" request_id=" + spaced.header("x-request-id"));

        String longest = "b".repeat(200);
        assertThat(get("/longest", "X-Request-Id: " + longest + "\r\n").header("x-request-id")).isEqualTo(longest);
    }

    @Test
    void theHeaderCanBeRenamedAndKeptFromTheClient() throws Exception {
        RawClient.Response r = get("/quiet/x", "");
        assertThat(r.header("x-trace-id")).isNull();
        assertThat(r.header("x-request-id")).isNull();
        String id = seen().header("x-trace-id");
        assertThat(id).matches(HEX32);
        assertThat(seen().header("x-request-id")).isNull();
        assertThat(logLine("/quiet/x")).contains(" request_id=" + id);
    }

    @Test
    void aLocalAnswerCarriesTheIdToo() throws Exception {
        RawClient.Response r = get("/answer", "");
        assertThat(r.text()).isEqualTo("ok");
        String id = r.header("x-request-id");
        assertThat(id).matches(HEX32);
        assertThat(logLine("/answer")).contains(" request_id=" + id);
        assertThat(env.origin().seen()).isEmpty();
    }

    @Test
    void theJsonAccessLogHasARequestIdMember(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("access.json");
        Gateway g = servers.gateway(Configs.gateway("  access_log: {enabled: true, format: json, path: '" + json + "'}\n"
                + ROUTES, env.origin().address()));
        String id;
        try (RawClient c = new RawClient(g.listenerAddress("main"))) {
            id = c.send("GET /json HTTP/1.1\r\nHost: a\r\n\r\n").read().header("x-request-id");
        }
        g.close(); // the log is written out before it is read
        assertThat(id).matches(HEX32);
        Await.until(() -> lines(json).stream().anyMatch(l -> l.contains("\"uri\":\"/json\"")));
        assertThat(lines(json)).filteredOn(l -> l.contains("\"uri\":\"/json\"")).singleElement().asString()
                .contains(",\"request_id\":\"" + id + "\"").endsWith("}");
    }

    private static RawClient.Response get(String path, String headers) throws IOException {
        try (RawClient c = new RawClient(env.address())) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: a\r\n" + headers + "\r\n").read();
        }
    }

    private static Origin.Seen seen() {
        assertThat(env.origin().seen()).isNotEmpty();
        return env.origin().seen().get(0);
    }

    /** The access-log line of the request for {@code path}, once the log's writer has written it. */
    private static String logLine(String path) throws InterruptedException {
        AtomicReference<String> line = new AtomicReference<>();
        Await.until(() -> {
            Optional<String> l = lines(LOG).stream().filter(s -> s.contains("\"GET " + path + " HTTP/1.1\"")).findFirst();
            l.ifPresent(line::set);
            return l.isPresent();
        });
        return line.get();
    }

    private static List<String> lines(Path file) {
        try {
            return Files.exists(file) ? Files.readAllLines(file) : List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path tempFile() {
        try {
            Path p = Files.createTempFile("request-id", ".log");
            p.toFile().deleteOnExit();
            return p;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
