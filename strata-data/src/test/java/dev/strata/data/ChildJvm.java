package dev.strata.data;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Runs a main class of the test classpath in a child JVM as the account {@code nobody}. */
final class ChildJvm {

    record Result(int exitCode, String output) {}

    private ChildJvm() {}

    /**
     * The test classpath may lie under a folder {@code nobody} cannot read ({@code /root/.m2}), so it
     * is copied into a fresh world-readable folder under /var/tmp, together with the work folder.
     */
    static Result runAsNobody(Class<?> main) throws Exception {
        Path root = Files.createTempDirectory(Path.of("/var/tmp"), "strata-child-");
        try {
            List<String> classpath = new ArrayList<>();
            int i = 0;
            String testClasspath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            for (String entry : testClasspath.split(File.pathSeparator)) {
                Path source = Path.of(entry);
                if (!Files.exists(source)) {
                    continue;
                }
                Path copy = root.resolve("cp").resolve((i++) + "-" + source.getFileName());
                copyTree(source, copy);
                classpath.add(copy.toString());
            }
            Path work = root.resolve("work");
            Files.createDirectories(work);
            run(List.of("chmod", "-R", "a+rX", root.toString()));
            run(List.of("chown", "-R", "65534:65534", work.toString()));
            String javaCommand = ProcessHandle.current().info().command().orElseThrow();
            Process p = new ProcessBuilder("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--",
                    javaCommand, "-cp", String.join(File.pathSeparator, classpath), main.getName(),
                    work.resolve("postgres").toString())
                    .directory(work.toFile())
                    .redirectErrorStream(true)
                    .start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, out);
            }
            return new Result(p.exitValue(), out);
        } finally {
            run(List.of("rm", "-rf", root.toString()));
        }
    }

    private static void copyTree(Path source, Path target) throws IOException {
        if (Files.isRegularFile(source)) {
            Files.createDirectories(target.getParent());
            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
            return;
        }
        try (Stream<Path> paths = Files.walk(source)) {
            for (Path p : paths.toList()) {
                Path t = target.resolve(source.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void run(List<String> command) throws Exception {
        new ProcessBuilder(command).inheritIO().start().waitFor(60, TimeUnit.SECONDS);
    }
}
