package dev.strata.gateway.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.config.GatewayConfig;
import dev.strata.gateway.filter.builtin.BuiltInFilters;
import dev.strata.gateway.testing.Configs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Building a route's filters from {@code filters:} entries: what is accepted, and what is refused with which message. */
class FilterTypesTest {

    private final FilterStates states = new FilterStates(new SimpleMeterRegistry());

    private List<HttpFilter> build(FilterTypes types, FilterSpec... specs) {
        return types.build("web", List.of(specs), states.builder(), false);
    }

    @Test
    void settingsLeftOutAreTheTypesDefaults() {
        List<HttpFilter> filters = build(BuiltInFilters.types(),
                new FilterSpec("headers", Map.of("response", Map.of("set", Map.of("X-Frame-Options", "DENY")))),
                new FilterSpec("headers", Map.of("request", Map.of("remove", List.of("Cookie")))),
                new FilterSpec("headers", null),
                new FilterSpec("request_id", Map.of()),
                new FilterSpec("request_id", Map.of("trust_incoming", false)));
        assertThat(filters).hasSize(5);
    }

    @Test
    void anUnknownTypeIsRefusedNamingTheRouteAndTheKnownTypes() {
        assertThatThrownBy(() -> build(BuiltInFilters.types(), new FilterSpec("no_such_filter", Map.of())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("routes.web.filters: unknown filter 'no_such_filter' (expected one of: cache, headers, rate_limit, request_id, shed)");
    }

    @Test
    void anUnknownSettingIsRefusedNamingTheRouteAndTheType() {
        assertThatThrownBy(() -> build(BuiltInFilters.types(), new FilterSpec("request_id", Map.of("heder", "X-Id"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("routes.web.filters.request_id: ")
                .hasMessageContaining("heder")
                .hasMessageNotContaining("(class ");
    }

    @Test
    void settingsTheTypeRefusesAreNamedWithTheRouteAndTheType() {
        assertThatThrownBy(() -> build(BuiltInFilters.types(), new FilterSpec("request_id", Map.of("header", "X Id"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("routes.web.filters.request_id.")
                .hasMessageContaining("'X Id'");
    }

    @Test
    void aTypeNameIsTakenOnce() {
        assertThatThrownBy(() -> BuiltInFilters.types().with(TestFilters.type("headers", c -> Verdict.CONTINUE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("headers");
    }

    @Test
    void aWarmupBuildLeavesOutTheTypesThatSitItOut() {
        FilterTypes types = FilterTypes.none()
                .with(TestFilters.type("on", WarmupMode.THROWAWAY_STATE, b -> c -> Verdict.CONTINUE))
                .with(TestFilters.type("off", WarmupMode.OFF, b -> c -> Verdict.CONTINUE));
        List<FilterSpec> specs = List.of(new FilterSpec("on", null), new FilterSpec("off", null));
        assertThat(types.build("web", specs, states.builder(), false)).hasSize(2);
        assertThat(types.build("web", specs, FilterStates.throwaway().builder(), true)).hasSize(1);
    }

    @Test
    void aFilterKnowsTheGroupItsRouteSendsTo() {
        Map<String, String> groups = new java.util.concurrent.ConcurrentHashMap<>();
        FilterTypes types = BuiltInFilters.types().with(TestFilters.type("grouped", WarmupMode.THROWAWAY_STATE, b -> {
            groups.put(b.route(), String.valueOf(b.upstream()));
            return c -> Verdict.CONTINUE;
        }));
        GatewayConfig config = Configs.gateway("  filters: [{grouped: {}}]\n"
                + "  routes:\n"
                + "    - {name: web, path_prefix: /, upstream: app}\n"
                + "    - {name: api, path_prefix: /api, upstream: api}\n"
                + "    - {name: moved, path_prefix: /old, respond: {status: 301, headers: {Location: /}}}\n"
                + "  upstreams:\n"
                + "    app: {endpoints: [127.0.0.1:1], health: {active: {enabled: false}}}\n"
                + "    api: {endpoints: [127.0.0.1:2], health: {active: {enabled: false}}}\n");
        try (Gateway g = Gateway.start(config, types)) {
            assertThat(groups).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "web", "app", "api", "api", "moved", "null", FilterTypes.UNROUTED, "null"));
        }
    }
}
