package dev.strata.data.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs short helper commands to completion. */
final class Processes {

    private static final long TIMEOUT_SECONDS = 120;

    private Processes() {}

    record Result(int exitCode, String output) {}

    static Result run(List<String> command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            Map<String, String> env = builder.environment();
            env.put("LC_ALL", "C");
            env.put("LANG", "C");
            Process p = builder.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, out + "\n(timed out after " + TIMEOUT_SECONDS + "s)");
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
    }

    static String runOrThrow(List<String> command, String what) {
        Result r = run(command);
        if (r.exitCode() != 0) {
            throw new IllegalStateException(what + " failed (exit " + r.exitCode() + "): " + r.output().strip());
        }
        return r.output();
    }
}
