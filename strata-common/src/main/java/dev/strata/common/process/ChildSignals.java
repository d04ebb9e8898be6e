package dev.strata.common.process;

import java.io.IOException;
import java.util.List;

/**
 * The start of a command line that sets a child's signal dispositions. A child inherits the signals
 * its parent ignores (a process under {@code nohup} ignores SIGHUP, one in the background of a script
 * SIGINT), and a JVM cannot take such an ignore back; {@code env} can, before it runs the child.
 */
public final class ChildSignals {

    private static final boolean SETTABLE = probe();

    private ChildSignals() {}

    /** Whether {@code env} can set signal dispositions here (GNU coreutils 8.31 and later). */
    public static boolean settable() {
        return SETTABLE;
    }

    /** {@code env} with every signal at its default action; empty where it cannot. */
    public static List<String> allDefault() {
        return SETTABLE ? List.of("env", "--default-signal") : List.of();
    }

    /** {@code env} with {@code signal} (a name such as {@code HUP}) at its default action; empty where it cannot. */
    public static List<String> atDefault(String signal) {
        return SETTABLE ? List.of("env", "--default-signal=" + signal) : List.of();
    }

    /** {@code env} with {@code signal} ignored, as under nohup for HUP; empty where it cannot. */
    public static List<String> ignored(String signal) {
        return SETTABLE ? List.of("env", "--ignore-signal=" + signal) : List.of();
    }

    /** {@code env} with every signal at its default action but {@code signal}, which is ignored; empty where it cannot. */
    public static List<String> allDefaultBut(String signal) {
        return SETTABLE ? List.of("env", "--default-signal", "--ignore-signal=" + signal) : List.of();
    }

    private static boolean probe() {
        try {
            return new ProcessBuilder("env", "--default-signal", "true").start().waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
