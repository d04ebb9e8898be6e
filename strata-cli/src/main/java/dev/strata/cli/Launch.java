package dev.strata.cli;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.List;

/** Where this installation lives and how to start another process of it. */
public final class Launch {

    private Launch() {}

    /** The project folder: {@code -Dstrata.home} (set by {@code ./strata}), else the working directory. */
    public static Path home() {
        String home = System.getProperty("strata.home");
        return Path.of(home == null || home.isBlank() ? "." : home).toAbsolutePath().normalize();
    }

    /** {@code [java, -jar, strata.jar]} for this very installation. */
    public static List<String> selfCommand() {
        String java = System.getProperty("strata.java");
        if (java == null || java.isBlank()) {
            java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        }
        return List.of(java, "-jar", jar().toString());
    }

    static Path jar() {
        try {
            return Path.of(Launch.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot locate strata.jar", e);
        }
    }
}
