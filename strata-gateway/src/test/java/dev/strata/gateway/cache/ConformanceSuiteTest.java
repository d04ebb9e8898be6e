package dev.strata.gateway.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.filter.builtin.BuiltInFilters;
import dev.strata.gateway.testing.Configs;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The cache checked by an outside suite: http-cache-tests (https://cache-tests.fyi/), installed from
 * the npm registry into target/, its test origin and its client run as node processes, with a gateway
 * from bench/cache-conformance.yaml between them (the configuration bench/cache-conformance.sh runs).
 * Fails when a required check does not pass that bench/cache-conformance-exceptions.txt does not list;
 * bench/cache-conformance-summary.mjs decides, as it does for the script. Without node and npm it fails
 * and says what to install.
 */
class ConformanceSuiteTest {

    private static final String VERSION = "0.4.5";
    private static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    private static final Path SUITE_DIR = Path.of("target", "cache-conformance").toAbsolutePath();
    private static final Path SUITE = SUITE_DIR.resolve("node_modules/http-cache-tests");

    @Test
    @Timeout(value = 4, unit = TimeUnit.MINUTES)
    @DisplayName("http-cache-tests " + VERSION + ": every required check for a shared cache passes, but the documented exceptions")
    void requiredChecksPass() throws Exception {
        requireOnPath("node");
        requireOnPath("npm");
        install();
        int originPort = freePort();
        Path work = Files.createTempDirectory(SUITE_DIR, "run");
        List<Process> started = new ArrayList<>();
        try {
            Process origin = node(SUITE, work.resolve("origin.log"), Map.of("npm_config_protocol", "http",
                    "npm_config_port", Integer.toString(originPort),
                    "npm_config_pidfile", work.resolve("origin.pid").toString()), "server/server.mjs");
            started.add(origin);
            awaitListening(originPort, origin, work.resolve("origin.log"));
            try (Gateway gateway = Gateway.start(Configs.yaml(config(originPort)), BuiltInFilters.types())) {
                InetSocketAddress main = gateway.listenerAddress("main");
                Path results = work.resolve("results.json");
                Process client = node(SUITE, results, Map.of("npm_config_base",
                        "http://127.0.0.1:" + main.getPort(), "npm_package_config_id", ""), "--no-warnings", "cli.mjs");
                started.add(client);
                if (!client.waitFor(150, TimeUnit.SECONDS)) {
                    fail("the suite's client did not finish in 150 s");
                }
                Path summary = work.resolve("summary.txt");
                Process judge = node(HOME, summary, Map.of(), "bench/cache-conformance-summary.mjs", SUITE.toString(),
                        results.toString(), HOME.resolve("bench/cache-conformance-exceptions.txt").toString());
                started.add(judge);
                assertThat(judge.waitFor(30, TimeUnit.SECONDS)).isTrue();
                String text = Files.readString(summary);
                System.out.println(text);
                assertThat(text).contains("required: ");
                assertThat(judge.exitValue()).as(text).isZero();
            }
        } finally {
            for (Process p : started) {
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            }
        }
    }

    /** The bench configuration on ports of the test's own, without the warm-up. */
    private static String config(int originPort) throws IOException {
        String yaml = Files.readString(HOME.resolve("bench/cache-conformance.yaml"));
        assertThat(yaml).contains("127.0.0.1:18780", "127.0.0.1:18781", "127.0.0.1:18700");
        return yaml.replace("127.0.0.1:18780", "127.0.0.1:0").replace("127.0.0.1:18781", "127.0.0.1:0")
                .replace("127.0.0.1:18700", "127.0.0.1:" + originPort)
                .replace("\ngateway:\n", "\ngateway:\n  warmup: {enabled: false}\n");
    }

    private static void install() throws Exception {
        Path pkg = SUITE.resolve("package.json");
        if (Files.exists(pkg) && Files.readString(pkg).contains("\"version\": \"" + VERSION + "\"")) {
            return;
        }
        Files.createDirectories(SUITE_DIR);
        Path log = SUITE_DIR.resolve("npm-install.log");
        Process npm = new ProcessBuilder("npm", "install", "--prefix", SUITE_DIR.toString(), "--no-audit", "--no-fund",
                "--omit=dev", "--loglevel=error", "http-cache-tests@" + VERSION)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!npm.waitFor(120, TimeUnit.SECONDS) || npm.exitValue() != 0) {
            npm.destroyForcibly();
            fail("npm could not install http-cache-tests@" + VERSION + " from the registry:\n" + Files.readString(log));
        }
    }

    private static Process node(Path dir, Path output, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of("node"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectOutput(output.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(output.resolveSibling(output.getFileName() + ".err")
                        .toFile()));
        pb.environment().putAll(env);
        return pb.start();
    }

    private static void requireOnPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
                return;
            }
        }
        fail(program + " is not on the PATH: this test runs the http-cache-tests suite with node >= 14 and npm"
                + " (Debian: apt-get install nodejs npm; or https://nodejs.org/)");
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void awaitListening(int port, Process process, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                if (!process.isAlive()) {
                    fail("the suite's origin exited:\n" + Files.readString(log, StandardCharsets.UTF_8));
                }
                Thread.sleep(100);
            }
        }
        fail("the suite's origin does not listen on " + port);
    }
}
