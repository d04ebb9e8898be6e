package dev.strata.links;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.common.config.ConfigLoader;
import dev.strata.data.DataConfig;
import dev.strata.data.testing.PostgresExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class GracefulStopTest {

    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aRequestInFlightFinishesWhileTheNodeStops() throws Exception {
        LinksNode node = LinksNode.start(TestNodes.config("links-drain"), PG.dataConfig());
        int port = node.port();
        // warm up, so that the request below reaches its handler well within the pause that follows
        assertThat(new TestClient(node).postJson("/api/links", "{\"url\":\"https://example.com/warm\"}").statusCode()).isEqualTo(201);
        String body = "{\"url\":\"https://example.com/in-flight\"}";
        CompletableFuture<Void> stopping;
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/links HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length() + "\r\n\r\n" + body.substring(0, 10)).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            Thread.sleep(500);
            stopping = CompletableFuture.runAsync(node::close);
            Thread.sleep(300);
            assertThat(stopping).as("waits for the request in flight").isNotDone();
            out.write(body.substring(10).getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 201 Created");
        }
        stopping.get(10, TimeUnit.SECONDS);
        assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(ConnectException.class);
    }

    @Test
    void sigtermFlushesClicksAndExitsZero() throws Exception {
        DataConfig data = PG.dataConfig();
        String javaCommand = ProcessHandle.current().info().command().orElseThrow();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process child = new ProcessBuilder(javaCommand, "-cp", classpath, RunLinksNode.class.getName(), data.jdbcUrl())
                .redirectErrorStream(true).start();
        StringBuilder seen = new StringBuilder();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            Pattern ready = Pattern.compile("ready: links-child on port \\d+ \\(short URLs under (\\S+)\\)");
            String base = null;
            String line;
            while ((line = out.readLine()) != null) {
                seen.append(line).append('\n');
                Matcher m = ready.matcher(line);
                if (m.find()) {
                    base = m.group(1);
                    break;
                }
            }
            assertThat(base).as(seen.toString()).isNotNull();
            var http = java.net.http.HttpClient.newHttpClient();
            var create = java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/api/links"))
                    .header("Content-Type", "application/json")
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"url\":\"https://example.com/\"}")).build();
            String code = JSON.readTree(http.send(create, java.net.http.HttpResponse.BodyHandlers.ofString()).body()).get("code").asText();
            for (int i = 0; i < 5; i++) {
                var redirect = java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/" + code)).build();
                assertThat(http.send(redirect, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(302);
            }
            child.toHandle().destroy(); // SIGTERM
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            while ((line = out.readLine()) != null) {
                seen.append(line).append('\n');
            }
            assertThat(child.exitValue()).as(seen.toString()).isZero();
            try (Connection c = DriverManager.getConnection(data.jdbcUrl(), data.user(), data.password());
                 PreparedStatement ps = c.prepareStatement("SELECT clicks FROM links WHERE code = ?")) {
                ps.setString(1, code);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getLong(1)).as(seen.toString()).isEqualTo(5);
                }
            }
        } finally {
            child.destroyForcibly();
        }
    }

    /** The child: a links node whose clicks would not be flushed for an hour unless it stops cleanly. */
    static final class RunLinksNode {
        public static void main(String[] args) {
            LinksConfig config = TestNodes.config("links-child", Duration.ofHours(1));
            DataConfig data = ConfigLoader.defaults().section("data", DataConfig.class).withUrl(args[0]);
            LinksNode.run(config, data);
        }
    }
}
