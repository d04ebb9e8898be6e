package dev.strata.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.redis.testing.RedisExtension;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The {@code redis} role as its own OS process, the way the CLI runs it. */
class RedisNodeTest {

    private record Node(Process jvm, BufferedReader out, long serverPid, int port, StringBuilder seen) {}

    private static Node startNode() throws Exception {
        Path dir = Path.of("target", "redis", "node-" + UUID.randomUUID()).toAbsolutePath();
        int port = RedisExtension.freePort();
        String java = ProcessHandle.current().info().command().orElseThrow();
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process jvm = new ProcessBuilder(java, "-cp", classpath, RunRedisNode.class.getName(), dir.toString(),
                Integer.toString(port)).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(jvm.getInputStream(), StandardCharsets.UTF_8));
        Pattern ready = Pattern.compile("ready: redis at (\\S+) \\(redis-server pid (\\d+)\\)");
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher m = ready.matcher(line);
            if (m.find()) {
                assertThat(m.group(1)).isEqualTo("redis://127.0.0.1:" + port);
                return new Node(jvm, out, Long.parseLong(m.group(2)), port, seen);
            }
        }
        throw new AssertionError("no ready line:\n" + seen);
    }

    @Test
    void sigtermStopsTheServerAndExitsZero() throws Exception {
        Node node = startNode();
        try {
            assertThat(Resp.call(node.port(), "PING")).isEqualTo("+PONG");
            node.jvm().toHandle().destroy();
            assertThat(node.jvm().waitFor(60, TimeUnit.SECONDS)).isTrue();
            String line;
            while ((line = node.out().readLine()) != null) {
                node.seen().append(line).append('\n');
            }
        } finally {
            node.jvm().destroyForcibly();
        }
        assertThat(node.jvm().exitValue()).as(node.seen().toString()).isZero();
        assertThat(ProcessHandle.of(node.serverPid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(node.seen()).contains("redis-server (pid " + node.serverPid() + ") stopped");
    }

    @Test
    void aKilledNodeLeavesNoServerBehind() throws Exception {
        Node node = startNode();
        node.jvm().destroyForcibly(); // SIGKILL: no shutdown hook runs
        node.jvm().waitFor(30, TimeUnit.SECONDS);
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (ProcessHandle.of(node.serverPid()).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(ProcessHandle.of(node.serverPid()).map(ProcessHandle::isAlive).orElse(false))
                .as("redis-server %d outlived its node", node.serverPid()).isFalse();
    }

    /** Main class of the child. */
    static final class RunRedisNode {
        public static void main(String[] args) {
            RedisNode.run(RedisExtension.embeddedConfig(Path.of(args[0])).withServer(Path.of(args[0]), Integer.parseInt(args[1])));
        }
    }
}
