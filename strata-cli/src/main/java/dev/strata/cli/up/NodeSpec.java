package dev.strata.cli.up;

import java.nio.file.Path;
import java.util.List;

/**
 * One node of a topology, as the supervisor starts it: {@code java <jvmOptions> -jar strata.jar <role>
 * --config <configFile> <extraArgs>}.
 *
 * @param readiness how the supervisor knows the node is ready to serve
 */
record NodeSpec(String name, String role, Path configFile, List<String> jvmOptions, List<String> extraArgs,
                String url, String adminUrl, Readiness readiness) {

    NodeSpec {
        jvmOptions = List.copyOf(jvmOptions);
        extraArgs = List.copyOf(extraArgs);
    }
}
