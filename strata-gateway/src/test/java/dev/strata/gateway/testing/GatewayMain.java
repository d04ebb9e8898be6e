package dev.strata.gateway.testing;

import dev.strata.gateway.Gateway;
import java.nio.file.Path;

/** The main class of a {@link GatewayProcess}: {@link Gateway#run} on the file named by the first argument. */
public final class GatewayMain {

    private GatewayMain() {}

    public static void main(String[] args) throws Exception {
        Gateway.run(Path.of(args[0]));
    }
}
