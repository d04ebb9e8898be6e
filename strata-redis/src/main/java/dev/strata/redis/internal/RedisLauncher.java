package dev.strata.redis.internal;

import dev.strata.common.process.ChildSignals;
import dev.strata.redis.RedisConfig;
import dev.strata.redis.RunningRedis;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design notes
 *
 * Layout. <dir>/redis.conf is generated on every start from the configuration (never edited by
 * hand), <dir>/redis.log is the server's output, <dir>/redis.pid its pid, and the data files
 * (dump.rdb, appendonlydir) sit in <dir>. The binary lives beside <dir> in redis-bin-<version>.
 *
 * No orphan. The server must not outlive its owner, even one killed with SIGKILL. It runs under
 * setpriv --pdeathsig TERM, so the kernel sends it SIGTERM when the thread that spawned it ends;
 * that thread is therefore one long-lived daemon thread per JVM (SPAWNER), never a caller's thread
 * that might finish while the server should run. Where setpriv is missing, the fallback is the
 * pid file: a start finds a leftover server of the same dir by it and stops it first.
 *
 * Stop. SIGTERM makes redis-server save (when persistence is on) and exit; after stop_timeout it
 * is killed. The pid is the server's own: env and setpriv exec, they do not fork.
 */
/** Starts and stops one embedded redis-server. */
public final class RedisLauncher implements RunningRedis {

    private static final Logger LOG = LoggerFactory.getLogger(RedisLauncher.class);
    private static final ExecutorService SPAWNER = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "strata-redis-spawner");
        t.setDaemon(true);
        return t;
    });
    private static final boolean PDEATHSIG = probePdeathsig();

    private final Process server;
    private final RedisConfig config;
    private final Path dir;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RedisLauncher(Process server, RedisConfig config, Path dir) {
        this.server = server;
        this.config = config;
        this.dir = dir;
    }

    public static RunningRedis start(RedisConfig config) {
        Path dir = Path.of(config.dir()).toAbsolutePath().normalize();
        Path binary = RedisBinary.unpackInto(dir.resolveSibling("redis-bin-" + RedisBinary.VERSION));
        try {
            Files.createDirectories(dir);
            stopLeftover(dir.resolve("redis.pid"), config.stopTimeout());
            Files.writeString(dir.resolve("redis.conf"), serverConfig(config, dir));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + dir, e);
        }
        List<String> command = new ArrayList<>(ChildSignals.allDefault());
        if (PDEATHSIG) {
            command.addAll(List.of("setpriv", "--pdeathsig", "TERM"));
        }
        command.add(binary.toString());
        command.add(dir.resolve("redis.conf").toString());
        Process process = spawn(command, dir.resolve("redis.log"));
        RedisLauncher running = new RedisLauncher(process, config, dir);
        try {
            running.awaitReady();
        } catch (RuntimeException e) {
            running.close();
            throw e;
        }
        LOG.info("Redis {} ready at {} (pid {}, dir {}, persistence {})", RedisBinary.VERSION, config.uri(),
                process.pid(), dir, config.persistence());
        return running;
    }

    static String serverConfig(RedisConfig config, Path dir) {
        StringBuilder conf = new StringBuilder("# written by strata on every start of the redis role; edit the redis section instead\n");
        conf.append("bind ").append(config.host()).append('\n');
        conf.append("port ").append(config.port()).append('\n');
        conf.append("protected-mode no\n"); // it binds a loopback address only (RedisConfig refuses others)
        conf.append("daemonize no\n");
        conf.append("supervised no\n");
        conf.append("dir \"").append(dir).append("\"\n");
        conf.append("pidfile \"").append(dir.resolve("redis.pid")).append("\"\n");
        conf.append("logfile \"\"\n");
        conf.append("always-show-logo no\n");
        conf.append("tcp-keepalive 60\n");
        conf.append("databases 16\n");
        switch (config.persistence()) {
            case "rdb" -> conf.append("save 3600 1 300 100 60 10000\nappendonly no\n");
            case "aof" -> conf.append("save \"\"\nappendonly yes\nappendfsync everysec\n");
            default -> conf.append("save \"\"\nappendonly no\n");
        }
        return conf.toString();
    }

    private static Process spawn(List<String> command, Path log) {
        try {
            return SPAWNER.submit(() -> {
                Process p = new ProcessBuilder(command)
                        .redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                        .start();
                p.getOutputStream().close();
                return p;
            }).get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot start " + command + ": " + e.getCause().getMessage(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting redis-server", e);
        }
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + config.startTimeout().toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("redis-server exited with " + server.exitValue()
                        + " while starting; end of " + dir.resolve("redis.log") + ":\n" + tail(dir.resolve("redis.log")));
            }
            long answering = Ping.serverPid(config.host(), config.port(), 1000);
            if (answering == server.pid()) {
                last = Ping.send(config.host(), config.port(), 1000);
                if ("+PONG".equals(last)) {
                    return;
                }
            } else if (answering > 0) {
                last = "another redis-server (pid " + answering + ") answers on port " + config.port();
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for redis-server", e);
            }
        }
        throw new IllegalStateException("redis-server did not answer PING within " + config.startTimeout()
                + " (last: " + last + "); end of " + dir.resolve("redis.log") + ":\n" + tail(dir.resolve("redis.log")));
    }

    @Override
    public String host() {
        return config.host();
    }

    @Override
    public int port() {
        return config.port();
    }

    @Override
    public String uri() {
        return config.uri();
    }

    @Override
    public long pid() {
        return server.pid();
    }

    @Override
    public Path dataDirectory() {
        return dir;
    }

    @Override
    public boolean isAlive() {
        return server.isAlive();
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true) || !server.isAlive()) {
            return;
        }
        server.destroy();
        try {
            if (!server.waitFor(config.stopTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("redis-server (pid {}) did not stop within {}; killing it", pid(), config.stopTimeout());
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            server.destroyForcibly();
        }
        LOG.info("redis-server (pid {}) stopped", pid());
    }

    private static void stopLeftover(Path pidFile, Duration timeout) throws IOException {
        if (!Files.exists(pidFile)) {
            return;
        }
        Optional<ProcessHandle> leftover;
        try {
            leftover = ProcessHandle.of(Long.parseLong(Files.readString(pidFile).strip()));
        } catch (NumberFormatException e) {
            leftover = Optional.empty();
        }
        Optional<ProcessHandle> server = leftover.filter(ProcessHandle::isAlive)
                .filter(h -> h.info().command().map(c -> c.endsWith("/redis-server")).orElse(false));
        if (server.isPresent()) {
            LOG.warn("stopping a redis-server left running on {} (pid {})", pidFile.getParent(), server.get().pid());
            server.get().destroy();
            try {
                server.get().onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                server.get().destroyForcibly();
            }
        }
        Files.deleteIfExists(pidFile);
    }

    private static boolean probePdeathsig() {
        try {
            return new ProcessBuilder("setpriv", "--pdeathsig", "TERM", "true").start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
