package dev.strata.gateway.testing;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.filter.FilterTypes;
import dev.strata.gateway.filter.builtin.BuiltInFilters;
import java.net.InetSocketAddress;

/**
 * One test {@link Origin} and one {@link Gateway} in front of it. On a static field they are shared by
 * every test of the class: started before all of them, closed after all of them; on an instance field
 * each test gets its own. The origin's {@link Origin#seen()} is cleared before each test.
 * <pre>{@code
 * @RegisterExtension
 * static final OriginAndGateway env = new OriginAndGateway("o1", "  name: gw-test\n");
 * }</pre>
 * The extra YAML lines go under {@code gateway:} as in {@link Configs#gateway(String, String...)}.
 * {@link #anotherGateway} starts a second gateway in front of the same origin for one test. For several
 * origins, gateways started from a file or in a child process, see {@link Servers}. A gateway that knows
 * filter types of the test's own is started with them ({@link #OriginAndGateway(String, String, FilterTypes)}).
 */
public final class OriginAndGateway extends AllOrEachExtension {

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
    protected void start() throws Exception {
        origin = closeAtEnd(new Origin(originName));
        gateway = closeAtEnd(Gateway.start(Configs.gateway(extraYaml, origin.address()), filterTypes));
    }

    @Override
    protected void beforeTest() {
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

    /**
     * Starts one more gateway in front of {@link #origin()}, with {@code extraYaml} under {@code gateway:}
     * in place of this extension's; it is closed at the end of the test that started it (of the class, when
     * started from {@code @BeforeAll}).
     */
    public Gateway anotherGateway(String extraYaml) {
        return closeAtEnd(Gateway.start(Configs.gateway(extraYaml, origin.address()), filterTypes));
    }
}
