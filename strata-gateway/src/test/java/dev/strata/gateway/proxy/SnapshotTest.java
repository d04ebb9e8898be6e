package dev.strata.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.gateway.config.GatewayConfig;
import dev.strata.gateway.filter.FilterChain;
import dev.strata.gateway.filter.FilterStates;
import dev.strata.gateway.filter.builtin.BuiltInFilters;
import dev.strata.gateway.testing.Configs;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A generation's filter chains as the configuration builds them (README's example among them). */
class SnapshotTest {

    private static Map<String, FilterChain> chains(String yaml) {
        GatewayConfig config = Configs.yaml(yaml);
        return Snapshot.chains(config, BuiltInFilters.types(), new FilterStates(new SimpleMeterRegistry()).builder(),
                false);
    }

    @Test
    void theGatewaysFiltersRunBeforeARoutesOwnAndARoutesAnswerComesLast() {
        Map<String, FilterChain> chains = chains("""
                gateway:
                  filters:                              # on every route
                    - request_id: {}                    # X-Request-Id made when absent, sent upstream, logged, returned
                  routes:
                    - name: api
                      path_prefix: /api/
                      upstream: app
                      filters:
                        - headers: {response: {set: {X-Frame-Options: DENY}, remove: [Server]}}
                    - name: old-docs
                      path_prefix: /docs/v1/
                      respond: {status: 301, headers: {Location: "https://docs.example.org/"}}
                """);
        assertThat(chains.get("api").size()).isEqualTo(2);
        assertThat(chains.get("old-docs").size()).isEqualTo(2);
    }

    @Test
    void aRouteWithoutFiltersHasTheEmptyChain() {
        assertThat(chains("gateway: {}\n").get("default")).isSameAs(FilterChain.EMPTY);
    }

    @Test
    void anUnknownFilterOrSettingIsRefusedNamingTheRoute() {
        assertThatThrownBy(() -> chains("""
                gateway:
                  routes: [{name: r1, path_prefix: /, upstream: app, filters: [{compress: {}}]}]
                """)).hasMessageContaining("routes.r1.filters: unknown filter 'compress'")
                .hasMessageContaining("cache, headers, rate_limit, request_id, shed");
        assertThatThrownBy(() -> chains("""
                gateway:
                  routes: [{name: r2, path_prefix: /, upstream: app, filters: [{request_id: {hedaer: X-Id}}]}]
                """)).hasMessageContaining("routes.r2.filters.request_id").hasMessageContaining("hedaer");
        assertThatThrownBy(() -> chains("""
                gateway:
                  routes: [{name: r3, path_prefix: /, upstream: app, filters: [{headers: {request: {set: {"X-A": "a\\r\\nb"}}}}]}]
                """)).hasMessageContaining("routes.r3.filters.headers");
    }
}
