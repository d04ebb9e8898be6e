package dev.strata.gateway.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A gateway in a child JVM ({@link GatewayMain} on a config file), for tests that bound its memory or
 * send it signals. Closing it stops it as a supervisor would: SIGTERM (a graceful drain), then, if it
 * has not exited within 20 s, SIGKILL.
 */
public final class GatewayProcess implements AutoCloseable {

    private final Process process;

    private GatewayProcess(Process process) {
        this.process = process;
    }

    /**
     * Starts the gateway on {@code config} with its standard output and error going to {@code log}.
     *
     * @param launcher what the command line starts with, such as {@code ChildSignals.atDefault("HUP")}; may be empty
     * @param jvmOptions options for the child JVM, such as {@code -Xmx64m}
     */
    public static GatewayProcess start(List<String> launcher, Path config, Path log, String... jvmOptions)
            throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(launcher);
        command.add(java);
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), GatewayMain.class.getName(),
                config.toString()));
        return new GatewayProcess(new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start());
    }

    public Process process() {
        return process;
    }

    /** Sends SIGHUP, which makes the gateway read its file again. */
    public void hup() throws IOException, InterruptedException {
        new ProcessBuilder("kill", "-HUP", Long.toString(process.pid())).start().waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
