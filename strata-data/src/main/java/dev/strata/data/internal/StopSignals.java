package dev.strata.data.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes SIGTERM and SIGINT a clean exit: the JVM runs its shutdown hooks (the graceful stop) and
 * exits with status 0, not 143 or 130, so a supervisor can tell a requested stop from a crash.
 * Internal to Strata's roles; may change.
 */
public final class StopSignals {

    private static final Logger LOG = LoggerFactory.getLogger(StopSignals.class);

    private StopSignals() {}

    @SuppressWarnings("removal")
    public static void exitZeroOnTermination() {
        for (String name : new String[] {"TERM", "INT"}) {
            try {
                sun.misc.Signal.handle(new sun.misc.Signal(name), signal -> {
                    LOG.info("SIG{} received; stopping", name);
                    new Thread(() -> System.exit(0), "strata-exit").start();
                });
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                LOG.debug("cannot handle SIG{}: {}", name, e.getMessage());
            }
        }
    }
}
