package dev.strata.cli.up;

import java.nio.file.Path;
import java.util.List;

/**
 * One node of a topology, as the supervisor starts it: {@code java <jvmOptions> -jar strata.jar <role>
 * --config <configFile> <extraArgs>}, the first time followed by {@code <firstStartArgs>}.
 *
 * @param firstStartArgs arguments of the first start only, never of a restart after the node died
 *                       ({@code --fresh}: a restart must not wipe what the node kept)
 * @param readiness how the supervisor knows the node is ready to serve
 */
record NodeSpec(String name, String role, Path configFile, List<String> jvmOptions, List<String> extraArgs,
                List<String> firstStartArgs, String url, String adminUrl, Readiness readiness) {

    NodeSpec {
        jvmOptions = List.copyOf(jvmOptions);
        extraArgs = List.copyOf(extraArgs);
        firstStartArgs = List.copyOf(firstStartArgs);
    }

    /** A node whose every start takes the same arguments. */
    NodeSpec(String name, String role, Path configFile, List<String> jvmOptions, List<String> extraArgs,
             String url, String adminUrl, Readiness readiness) {
        this(name, role, configFile, jvmOptions, extraArgs, List.of(), url, adminUrl, readiness);
    }

    /** The addresses the node listens on: its URL's and its admin URL's host and port, where they name one. */
    List<java.net.URI> listens() {
        List<java.net.URI> out = new java.util.ArrayList<>(2);
        for (String u : new String[] {url, adminUrl}) {
            if (u != null) {
                java.net.URI uri = java.net.URI.create(u);
                if (uri.getHost() != null && uri.getPort() > 0) {
                    out.add(uri);
                }
            }
        }
        return out;
    }
}
