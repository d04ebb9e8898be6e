package dev.strata.gateway.testing;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.config.GatewayConfig;
import dev.strata.gateway.filter.FilterTypes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Origins and gateways (in this JVM, or in a child one as a {@link GatewayProcess}) that a test starts
 * itself, each closed at the end of the test that started it (of the class, when started from
 * {@code @BeforeAll} with the extension on a static field), even when an assertion fails. For tests
 * that need other origins or another gateway configuration each:
 * <pre>{@code
 * @RegisterExtension
 * final Servers servers = new Servers();
 *
 * @Test
 * void someTest() throws Exception {
 *     Origin a = servers.origin("a");
 *     Gateway g = servers.gateway(Configs.gateway("", a.address()));
 *     ...
 * }
 * }</pre>
 * A test may still stop what it started (an origin that dies, a gateway that drains): closing again
 * at the end does no harm. A gateway that knows filter types of the test's own is started with them
 * ({@link #gateway(GatewayConfig, FilterTypes)}). For one origin and one gateway shared by a class, see
 * {@link OriginAndGateway}.
 */
public final class Servers extends AllOrEachExtension {

    /** Starts an origin that answers as {@code name} (see {@link Origin}). */
    public Origin origin(String name) throws IOException {
        return closeAtEnd(new Origin(name));
    }

    /** Starts {@code n} origins named {@code prefix0} to {@code prefix(n-1)}. */
    public List<Origin> origins(String prefix, int n) throws IOException {
        List<Origin> origins = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            origins.add(origin(prefix + i));
        }
        return origins;
    }

    /** Starts a gateway on {@code config} ({@link Configs} builds one); it has no file to reload from. */
    public Gateway gateway(GatewayConfig config) {
        return closeAtEnd(Gateway.start(config));
    }

    /**
     * Starts a gateway on {@code config} whose routes may also name the filter types of {@code filterTypes}
     * (the built-in ones and a test's own, from {@code BuiltInFilters.types().with(...)}).
     */
    public Gateway gateway(GatewayConfig config, FilterTypes filterTypes) {
        return closeAtEnd(Gateway.start(config, filterTypes));
    }

    /** Starts a gateway from {@code file}; {@code POST /_strata/reload} reads the file again. */
    public Gateway gateway(Path file) {
        return closeAtEnd(Gateway.start(file));
    }

    /** Writes {@code yaml} (a whole file, {@code gateway:} included) to {@code file} and starts a gateway from it. */
    public Gateway gateway(Path file, String yaml) throws IOException {
        Files.writeString(file, yaml);
        return gateway(file);
    }

    /** Starts a gateway in a child JVM, as {@link GatewayProcess#start} does. */
    public GatewayProcess gatewayProcess(List<String> launcher, Path config, Path log, String... jvmOptions)
            throws IOException {
        return closeAtEnd(GatewayProcess.start(launcher, config, log, jvmOptions));
    }
}
