package dev.strata.cli.up;

import dev.strata.cli.Launch;
import dev.strata.common.config.ConfigLoader;
import dev.strata.common.config.Units;
import dev.strata.common.process.StopSignals;
import java.io.IOException;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ./strata up}: starts a stage's topology on this machine and supervises it until stopped. */
@Command(name = "up", mixinStandardHelpOptions = true,
        description = "Start a stage's topology (database, services, gateway) as supervised child processes.")
public final class UpCommand implements Callable<Integer> {

    @Option(names = "--stage", description = "Stage of the ladder to start; "
            + "default: the highest that runs on embedded defaults.")
    Integer stage;

    @Option(names = "--nodes", description = "Number of links nodes at stage 3 and above.")
    Integer nodes;

    @Option(names = "--gateways", description = "Number of gateways at stage 2 and above; "
            + "more than one share a Redis node.")
    Integer gateways;

    @Option(names = "--replicas", description = "Number of PostgreSQL replicas at stage 4 and above (default 2).")
    Integer replicas;

    @Option(names = "--replica-delay", paramLabel = "N=DELAY", description = "Stage 4: replica N replays each "
            + "commit DELAY after it happened (e.g. 2=3s), to watch lag; repeatable.")
    List<String> replicaDelays = new ArrayList<>();

    @Option(names = "--config", description = "YAML configuration file (built-in defaults otherwise).")
    Path config;

    @Option(names = "--fresh", description = "Wipe the embedded database's data before starting.")
    boolean fresh;

    @Override
    public Integer call() throws Exception {
        PrintStream out = System.out;
        ConfigLoader loader = config == null ? ConfigLoader.defaults() : ConfigLoader.fromFile(config);
        UpConfig up = loader.section("up", UpConfig.class);
        int chosen = stage != null ? stage : up.stage() != 0 ? up.stage() : Stage.DEFAULT;
        String unavailable = Stage.unavailable(chosen);
        if (unavailable != null) {
            System.err.println("strata: " + unavailable);
            return 2;
        }
        int linksNodes = nodes != null ? nodes : up.nodes();
        int gatewayCount = gateways != null ? gateways : up.gateways();
        if (gatewayCount < 1 || gatewayCount > 16) {
            System.err.printf("strata: --gateways %d is not available (expected: 1..16)%n", gatewayCount);
            return 2;
        }
        if (gatewayCount > 1 && chosen < 2) {
            System.err.printf("strata: --gateways %d needs stage 2 or above (stage 1 has no gateway)%n", gatewayCount);
            return 2;
        }
        up = up.with(chosen, linksNodes, gatewayCount);

        Path home = Launch.home();
        Path runDir = home.resolve(up.runDir()).toAbsolutePath().normalize();
        Files.createDirectories(runDir);

        Map<String, String> env = new HashMap<>();
        env.put("STRATA_SECRET", sharedSecret(runDir));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        if (replicas != null && (replicas < 1 || replicas > 16)) {
            System.err.println("strata: --replicas " + replicas + " (expected: 1..16)");
            return 2;
        }
        Map<Integer, Duration> delays;
        try {
            delays = replicaDelays(replicaDelays);
        } catch (IllegalArgumentException e) {
            System.err.println("strata: " + e.getMessage());
            return 2;
        }
        if (!delays.isEmpty() && chosen < 4) {
            System.err.println("strata: --replica-delay needs stage 4 or above (replicas start at stage 4)");
            return 2;
        }
                var tree = loader.userTree();
        Planner.setReplicas(tree, chosen, replicas);
        Path adminTokenFile = runDir.resolve("admin-token");
        String adminToken = chosen >= 2 ? kept(adminTokenFile, System.getenv("STRATA_ADMIN_TOKEN")) : "";
        List<NodeSpec> specs;
        try {
            specs = new Planner(up, tree, runDir, http, delays).plan(chosen, linksNodes, gatewayCount, fresh, adminToken);
        } catch (IllegalArgumentException e) {
            System.err.println("strata: " + e.getMessage());
            return 2;
        }
        Supervisor supervisor = new Supervisor(runDir, up, Launch.selfCommand(), env, out);

        out.printf("strata: starting stage %d (%s) in %s%n", chosen, Stage.describe(chosen), runDir);
        StopSignals.onTermination(() -> {
            supervisor.stop();
            out.println("strata: stopped");
            System.exit(0);
        });
        Runtime.getRuntime().addShutdownHook(new Thread(supervisor::stop, "strata-stop"));
        try {
            supervisor.start(specs);
        } catch (Supervisor.NodeFailedException e) {
            System.err.println("strata: " + e.getMessage());
            supervisor.stop();
            return 1;
        }
        out.println();
        for (NodeSpec node : supervisor.nodes()) {
            out.printf("  %-10s %-8s %s%s%n", node.name(), node.role(), node.url(),
                    node.adminUrl() == null ? "" : "   admin " + node.adminUrl());
        }
        for (NodeSpec node : supervisor.nodes()) {
            if (node.role().equals("gateway") && node.adminUrl() != null) {
                out.printf("  %-10s %-8s %s/_strata/   (every node of the stage, live)%n", "dashboard", "", node.adminUrl());
            }
        }
        String entry = specs.stream().filter(n -> n.role().equals("gateway")).findFirst()
                .orElse(specs.get(specs.size() - 1)).url();
        if (chosen >= 2) {
            String envToken = System.getenv("STRATA_ADMIN_TOKEN");
            out.printf("%nstrata: mutating admin calls need `Authorization: Bearer <token>`; the token is %s%n",
                    envToken != null && !envToken.isBlank() ? "STRATA_ADMIN_TOKEN's" : "in " + adminTokenFile);
        }
        out.printf("%nstrata: stage %d is up: open %s/ (topology in %s; Ctrl-C stops everything)%n", chosen, entry,
                runDir.resolve("topology.json"));
        supervisor.awaitStop();
        return 0;
    }

    /** {@code N=DELAY} arguments by replica number; a malformed one is refused with what was expected. */
    static Map<Integer, Duration> replicaDelays(List<String> arguments) {
        Map<Integer, Duration> delays = new java.util.TreeMap<>();
        for (String a : arguments) {
            int eq = a.indexOf('=');
            try {
                if (eq < 1) {
                    throw new IllegalArgumentException("no '='");
                }
                int n = Integer.parseInt(a.substring(0, eq).strip());
                Duration d = Units.parseDuration(a.substring(eq + 1));
                if (delays.put(n, d) != null) {
                    throw new IllegalArgumentException("replica " + n + " given twice");
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--replica-delay " + a + ": " + e.getMessage()
                        + " (expected: N=DELAY, e.g. 2=3s)");
            }
        }
        return delays;
    }

    /**
     * The services' shared secret: {@code STRATA_SECRET} from the environment, or one generated once
     * and kept in {@code run/secret}, so that manage tokens survive restarts and verify on every node.
     */
    private static String sharedSecret(Path runDir) throws IOException {
        return kept(runDir.resolve("secret"), System.getenv("STRATA_SECRET"));
    }

    /**
     * {@code fromEnv} when set, else the value kept in {@code file}, else a new random one written
     * there (readable by this account only).
     */
    private static String kept(Path file, String fromEnv) throws IOException {
        if (fromEnv != null && !fromEnv.isBlank()) {
            return fromEnv;
        }
        if (Files.exists(file)) {
            return Files.readString(file).strip();
        }
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Files.writeString(file, secret + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        return secret;
    }
}
