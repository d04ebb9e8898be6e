package dev.strata.common.process;

import java.io.IOException;
import java.io.InputStream;

/**
 * Lets a child process notice that its supervisor is gone, even after a SIGKILL of the supervisor:
 * the supervisor keeps the write end of the child's stdin open for its whole life, so end-of-file
 * on stdin means the supervisor died. The child then exits through its shutdown hooks (a graceful
 * stop). Only armed when {@link #ENV} is set, so that a node started by hand with a closed or
 * interactive stdin is not affected.
 */
public final class ParentWatch {

    /** Set to {@code 1} by the supervisor in every child's environment. */
    public static final String ENV = "STRATA_SUPERVISED";

    private ParentWatch() {}

    /** Starts the watch if this process is supervised; returns whether it did. */
    public static boolean armIfSupervised() {
        if (!"1".equals(System.getenv(ENV))) {
            return false;
        }
        Thread watcher = new Thread(() -> {
            InputStream in = System.in;
            byte[] sink = new byte[256];
            try {
                while (in.read(sink) >= 0) {
                    // the supervisor never writes; anything read is discarded
                }
            } catch (IOException ignored) {
                // a broken pipe means the same as end-of-file
            }
            System.err.println("supervisor gone (stdin closed); stopping");
            System.exit(0);
        }, "strata-parent-watch");
        watcher.setDaemon(true);
        watcher.start();
        return true;
    }
}
