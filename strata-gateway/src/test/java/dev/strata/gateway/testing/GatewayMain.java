package dev.strata.gateway.testing;

import dev.strata.gateway.Gateway;
import java.nio.file.Path;

/** Runs a gateway in a child JVM for tests that bound its memory. */
public final class GatewayMain {

    private GatewayMain() {}

    public static void main(String[] args) throws Exception {
        Gateway.run(Path.of(args[0]));
    }
}
