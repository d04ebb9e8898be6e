package dev.strata.cli.up;

import dev.strata.common.process.ChildSignals;
import dev.strata.common.process.ParentWatch;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One supervised OS process.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Own session.</b> The child runs under {@code setsid}, so a Ctrl-C in the terminal reaches
 *       only the supervisor, which then stops the children in order (gateway, services, database),
 *       instead of all of them at once.</li>
 *   <li><b>Default signals.</b> The child starts with every signal at its default action
 *       ({@link ChildSignals}), whatever the supervisor inherited: under {@code nohup} it ignores
 *       SIGHUP, and a gateway child would inherit that and could not reload on it.</li>
 *   <li><b>Orphan detection.</b> The child's stdin is a pipe whose write end only this process holds
 *       and never writes to. When the supervisor dies, even by SIGKILL, the kernel closes it and the
 *       child reads end-of-file ({@link ParentWatch}) and stops itself.</li>
 *   <li><b>Logs.</b> stdout and stderr are appended to {@code <run>/logs/<name>.log}.</li>
 * </ul>
 * Guarded by {@code this}: {@link #process}, {@link #stdin}.
 */
final class Child {

    private final NodeSpec spec;
    private final List<String> firstCommand;
    private final List<String> restartCommand;
    private final Path log;
    private final Map<String, String> environment;
    private Process process;
    private OutputStream stdin;

    /**
     * @param firstCommand   the command of the first {@link #start()}
     * @param restartCommand the command of every later one (no {@code --fresh})
     */
    Child(NodeSpec spec, List<String> firstCommand, List<String> restartCommand, Path log, Map<String, String> environment) {
        this.spec = spec;
        this.firstCommand = List.copyOf(firstCommand);
        this.restartCommand = List.copyOf(restartCommand);
        this.log = log;
        this.environment = Map.copyOf(environment);
    }

    NodeSpec spec() {
        return spec;
    }

    synchronized Process start() throws IOException {
        List<String> command = process == null ? firstCommand : restartCommand;
        Files.createDirectories(log.getParent());
        Files.writeString(log, "---- strata: starting " + spec.name() + ": " + String.join(" ", command) + "\n",
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        List<String> argv = new ArrayList<>();
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            argv.add("/usr/bin/setsid");
        }
        argv.addAll(ChildSignals.allDefault());
        argv.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(argv)
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectErrorStream(true);
        builder.environment().putAll(environment);
        builder.environment().put(ParentWatch.ENV, "1");
        process = builder.start();
        stdin = process.getOutputStream();
        return process;
    }

    synchronized Process process() {
        return process;
    }

    synchronized long pid() {
        return process == null ? -1 : process.pid();
    }

    boolean alive() {
        Process p = process();
        return p != null && p.isAlive();
    }

    /** SIGTERM, then SIGKILL (of the child and anything it left) once {@code grace} has passed. */
    void stop(Duration grace) {
        Process p = process();
        if (p == null) {
            return;
        }
        List<ProcessHandle> descendants = p.descendants().toList();
        p.destroy();
        try {
            if (!p.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                p.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle d : descendants) {
            if (d.isAlive()) {
                d.destroyForcibly();
            }
        }
        closeStdin();
    }

    private synchronized void closeStdin() {
        if (stdin != null) {
            try {
                stdin.close();
            } catch (IOException ignored) {
                // the child is gone either way
            }
        }
    }
}
