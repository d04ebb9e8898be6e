package dev.strata.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.common.config.ByteSize;
import dev.strata.common.config.ConfigException;
import dev.strata.common.config.ConfigLoader;
import dev.strata.gateway.key.RequestKey;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayConfigTest {

    private static GatewayConfig load(String yaml) {
        return ConfigLoader.fromYaml(yaml, "test.yaml").section("gateway", GatewayConfig.class);
    }

    @Test
    void builtInDefaultsAreComplete() {
        GatewayConfig c = ConfigLoader.defaults().section("gateway", GatewayConfig.class);
        assertThat(c.name()).isEqualTo("gateway");
        assertThat(c.listeners()).extracting(ListenerConfig::address).containsExactly("127.0.0.1:8080");
        assertThat(c.admin().address()).isEqualTo("127.0.0.1:9901");
        assertThat(c.limits().maxRequestLine()).isEqualTo(ByteSize.parse("8KiB"));
        assertThat(c.limits().maxHeaderSize()).isEqualTo(ByteSize.parse("32KiB"));
        assertThat(c.limits().maxBody()).isEqualTo(ByteSize.parse("16MiB"));
        assertThat(c.timeouts().headerRead()).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.timeouts().drain()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.routes()).singleElement().satisfies(r -> {
            assertThat(r.upstream()).isEqualTo("app");
            assertThat(r.maxBody()).isNull();
        });
        UpstreamConfig app = c.upstreams().get("app");
        assertThat(app.balance().policy()).isEqualTo("least-request");
        assertThat(app.health().active().path()).isEqualTo("/healthz");
        assertThat(app.retry().maxAttempts()).isEqualTo(3);
        assertThat(c.warmup()).isEqualTo(new WarmupConfig(true, Duration.ofSeconds(10)));
    }

    @Test
    void newEntriesGetTheirMissingKeysFromTheDefaultEntry() {
        GatewayConfig c = load("""
                gateway:
                  listeners: [{address: 127.0.0.1:0}]
                  routes: [{name: web, upstream: web}]
                  upstreams:
                    web: {endpoints: [127.0.0.1:9000], pool: {max_per_event_loop: 8}}
                """);
        assertThat(c.listeners().get(0).name()).isEqualTo("main");
        assertThat(c.routes().get(0).host()).isEqualTo("*");
        assertThat(c.routes().get(0).pathPrefix()).isEqualTo("/");
        UpstreamConfig web = c.upstreams().get("web");
        assertThat(web.pool().maxPerEventLoop()).isEqualTo(8);
        assertThat(web.pool().idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(web.health().outlier().consecutiveGatewayFailure()).isEqualTo(5);
        assertThat(web.health().outlier().consecutive5xx()).as("off: one broken URL ejects nothing").isZero();
        assertThat(web.balance().hashOn()).isEqualTo(RequestKey.parse("path"));
    }

    @Test
    void aRespondRouteNeedsOnlyItsStatus() {
        GatewayConfig c = load("""
                gateway:
                  routes:
                    - {name: ok, path_prefix: /ok, respond: {status: 204}}
                    - {name: moved, path_prefix: /old, respond: {status: 301, headers: {Location: /new}}}
                    - {name: down, path_prefix: /, upstream: app, respond: {status: 503, body: maintenance}}
                """);
        assertThat(c.routes().get(0).respond()).isEqualTo(new RouteConfig.Respond(204, Map.of(), ""));
        assertThat(c.routes().get(0).upstream()).isNull();
        assertThat(c.routes().get(1).respond().headers()).containsExactly(Map.entry("Location", "/new"));
        assertThat(c.routes().get(1).respond().body()).isEmpty();
        assertThat(c.routes().get(2).respond().body()).isEqualTo("maintenance");
        assertThat(c.routes().get(2).respond().headers()).isEmpty();
        assertThat(c.routes().get(2).upstream()).as("a route that answers itself reaches no group").isNull();
        assertThatThrownBy(() -> load("gateway:\n  routes: [{name: r, respond: {status: 99}}]\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("gateway.routes[0].respond.status (line 2, column 32): 99 (expected: 200..599)");
        assertThatThrownBy(() -> load("gateway:\n  routes: [{name: r, respond: {status: 200, bodi: x}}]\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("bodi");
    }

    @Test
    void errorsNameTheKey() {
        assertThatThrownBy(() -> load("gateway:\n  limits: {max_conections: 5}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("max_conections");
        assertThatThrownBy(() -> load("gateway:\n  limits: {max_connections: 0}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("gateway.limits.max_connections (line 2, column 12): 0 (expected: > 0)");
        assertThatThrownBy(() -> load("gateway:\n  routes: [{name: r, upstream: nowhere}]\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("gateway.routes[0].upstream (line 2, column 22): 'nowhere'");
        assertThatThrownBy(() -> load("gateway:\n  routes: [{name: r, host: 'a*.b', upstream: app}]\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("gateway.routes[0].host (line 2, column 22): 'a*.b' (expected: *, *.example.com or an exact host)");
        assertThatThrownBy(() -> load("gateway:\n  forwarding: {trusted_proxies: [not-a-cidr]}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("not-a-cidr");
        assertThatThrownBy(() -> load("gateway:\n  upstreams: {app: {endpoints: []}}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("endpoints");
        assertThatThrownBy(() -> load("gateway:\n  upstreams: {app: {balance: {hash_on: header}}}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("key: header (expected: client_address, ");
        assertThatThrownBy(() -> load("gateway:\n  upstreams: {app: {health: {active: {enabled: false, path: healthz}}}}\n"))
                .as("one rule for the check's path, applied to a disabled section too")
                .isInstanceOf(ConfigException.class).hasMessageContaining("gateway.upstreams.app.health.active.path (line 2, column 55): 'healthz' (expected: starting with /)");
        assertThatThrownBy(() -> load("gateway:\n  access_log: {format: xml}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("text or json");
        assertThatThrownBy(() -> load("gateway:\n  warmup: {max_time: 0s}\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("gateway.warmup.max_time (line 2, column 12): 0s (expected: > 0s)");
    }

    @Test
    void errorsSayTheKeyPathTheLineWhatWasFoundAndWhatWouldDo() {
        String yaml = """
                gateway:
                  upstreams:
                    app:
                      endpoints: [127.0.0.1:1]
                      balance:
                        polcy: least-request
                """;
        assertThatThrownBy(() -> load(yaml)).isInstanceOf(ConfigException.class)
                .hasMessage("test.yaml: gateway.upstreams.app.balance.polcy (line 6, column 9): unknown key "
                        + "(expected one of: hash_on, ipv4_prefix, ipv6_prefix, panic_threshold, policy)");
        assertThatThrownBy(() -> load("gateway:\n  timeouts:\n    total: forever\n")).isInstanceOf(ConfigException.class)
                .hasMessage("test.yaml: gateway.timeouts.total (line 3, column 5): found 'forever' "
                        + "(expected: a duration such as 250ms, 5s, 2m or 1h)");
        assertThatThrownBy(() -> load("gateway:\n  upstreams: {app: {endpoints: [127.0.0.1:1], pool: {idle_timeout: 0s}}}\n"))
                .hasMessage("test.yaml: gateway.upstreams.app.pool.idle_timeout (line 2, column 54): 0s (expected: > 0s)");
        assertThatThrownBy(() -> load("gateway:\n  upstreams: {app: {endpoints: [127.0.0.1:1], health: {slow_start: -1s}}}\n"))
                .hasMessageStartingWith("test.yaml: gateway.upstreams.app.health.slow_start (line 2, ");
        assertThatThrownBy(() -> load("gateway:\n  io_threads: many\n"))
                .hasMessage("test.yaml: gateway.io_threads (line 2, column 3): found 'many' (expected: a whole number)");
    }

    @Test
    void benchConfigIsValid() throws Exception {
        java.nio.file.Path file = java.nio.file.Path.of("..", "bench", "peers.yaml");
        GatewayConfig c = ConfigLoader.fromFile(file).section("gateway", GatewayConfig.class);
        assertThat(c.ioThreads()).isEqualTo(1);
        assertThat(c.accessLog().enabled()).isFalse();
        assertThat(c.upstreams().get("origins").addresses()).containsExactly("127.0.0.1:19101", "127.0.0.1:19102");
        assertThat(c.listeners()).extracting(l -> l.address().toString())
                .containsExactly("127.0.0.1:18081", "127.0.0.1:18080", "127.0.0.1:18082");
        assertThat(c.routes()).extracting(r -> r.listeners()).containsExactly(java.util.List.of("main"),
                java.util.List.of("cached"), java.util.List.of("limit"));
        assertThat(c.routes().get(0).filters()).as("18080 is the plain proxy").isEmpty();
        for (int i = 1; i <= 2; i++) {
            dev.strata.gateway.filter.builtin.BuiltInFilters.types().build(c.routes().get(i).name(), c.routes().get(i).filters(),
                    dev.strata.gateway.filter.FilterStates.throwaway().builder(), true);
        }
    }

    @Test
    void aRouteNamesOnlyListenersThatExist() {
        assertThatThrownBy(() -> load("gateway:\n  routes: [{name: r, path_prefix: /, upstream: app, listeners: [nope]}]\n"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("gateway.routes[0].listeners (line 2, column ").hasMessageContaining("'nope' (expected one of:");
    }

    @Test
    void cidrsMatch() throws Exception {
        Cidr net = Cidr.parse("10.1.0.0/16");
        assertThat(net.contains(InetAddress.getByName("10.1.200.3"))).isTrue();
        assertThat(net.contains(InetAddress.getByName("10.2.0.1"))).isFalse();
        assertThat(Cidr.parse("::1/128").contains(InetAddress.getByName("::1"))).isTrue();
        assertThat(Cidr.parse("127.0.0.1").contains(InetAddress.getByName("127.0.0.1"))).isTrue();
        assertThat(Cidr.parse("0.0.0.0/0").contains(InetAddress.getByName("192.0.2.1"))).isTrue();
        assertThat(Cidr.parse("10.0.0.0/8").contains(InetAddress.getByName("::1"))).isFalse();
    }
}
