package dev.strata.data.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** An operating-system account, looked up by name, and how to run a command as it. */
record OsAccount(String name, int uid, int gid) {

    /** Whether this JVM runs with user id 0. */
    static boolean currentIsRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        } catch (IOException | UnsupportedOperationException e) {
            return "root".equals(System.getProperty("user.name"));
        }
    }

    static OsAccount lookup(String name) {
        return new OsAccount(name, Integer.parseInt(id("-u", name)), Integer.parseInt(id("-g", name)));
    }

    /** {@code command} prefixed so that it runs as this account, with no supplementary groups. */
    List<String> wrap(List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of(
                "setpriv", "--reuid=" + uid, "--regid=" + gid, "--clear-groups", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    /** Gives {@code path} and everything below it to this account. */
    void chownRecursively(Path path) {
        Processes.runOrThrow(List.of("chown", "-R", uid + ":" + gid, path.toString()), "chown " + path);
    }

    private static String id(String flag, String name) {
        try {
            Process p = new ProcessBuilder("id", flag, name).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("unprivileged_user: '%s' (expected: an existing OS account): %s"
                        .formatted(name, out));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run id " + flag + " " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
