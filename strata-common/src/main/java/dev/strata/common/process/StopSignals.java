package dev.strata.common.process;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes SIGTERM and SIGINT a clean exit: the JVM runs its shutdown hooks (the graceful stop) and
 * exits with status 0, not 143 or 130, so a supervisor can tell a requested stop from a crash.
 * Used by every role.
 */
public final class StopSignals {

    private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);

    private StopSignals() {}

    /** On SIGTERM or SIGINT: run the shutdown hooks and exit with status 0. */
    public static void exitZeroOnTermination() {
        onTermination(() -> System.exit(0));
    }

    /**
     * On SIGTERM or SIGINT: run {@code action} on a new thread; the action ends the process itself,
     * usually with {@code System.exit(0)}.
     */
    @SuppressWarnings("removal")
    public static void onTermination(Runnable action) {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                    LOG.info("SIG{} received; stopping", name);
                    new Thread(action, "strata-stop-signal").start();
                });
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                LOG.debug("cannot handle SIG{}: {}", name, e.getMessage());
            }
        }
    }
}
