package dev.strata.gateway.testing;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.filter.FilterTypes;
import dev.strata.gateway.filter.builtin.BuiltInFilters;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One test {@link Origin} and one {@link Gateway} in front of it, shared by every test of a class:
 * started before all of them, closed after all of them, and the origin's {@link Origin#seen()} cleared
 * before each. Register it on a static field:
 * <pre>{@code
 * @RegisterExtension
 * static final OriginAndGateway env = new OriginAndGateway("o1", "  name: gw-test\n");
 * }</pre>
 * The extra YAML lines go under {@code gateway:} as in {@link Configs#gateway(String, String...)}; a
 * gateway that knows filter types of the test's own is started with them ({@link #OriginAndGateway(String,
 * String, FilterTypes)}).
 */
public final class OriginAndGateway implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback {

    private final String originName;
    private final String extraYaml;
    private final FilterTypes filterTypes;
    private Origin origin;
    private Gateway gateway;

    public OriginAndGateway(String originName, String extraYaml) {
        this(originName, extraYaml, BuiltInFilters.types());
    }

    public OriginAndGateway(String originName, String extraYaml, FilterTypes filterTypes) {
        this.originName = originName;
        this.extraYaml = extraYaml;
        this.filterTypes = filterTypes;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        origin = new Origin(originName);
        gateway = Gateway.start(Configs.gateway(extraYaml, origin.address()), filterTypes);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        try {
            if (gateway != null) {
                gateway.close();
            }
        } finally {
            gateway = null;
            if (origin != null) {
                origin.close();
            }
            origin = null;
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        origin.seen().clear();
    }

    public Origin origin() {
        return origin;
    }

    public Gateway gateway() {
        return gateway;
    }

    /** The gateway's {@code main} listener. */
    public InetSocketAddress address() {
        return gateway.listenerAddress("main");
    }

    public InetSocketAddress admin() {
        return gateway.adminAddress();
    }
}
