package dev.strata.gateway.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.filter.builtin.BuiltInFilters;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.Servers;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Routes limited to listeners: a request is routed among its listener's routes and the unlimited ones. */
class ListenerRoutesTest {

    @RegisterExtension
    final Servers servers = new Servers();

    private static RawClient.Response get(InetSocketAddress at, String path) throws Exception {
        try (RawClient c = new RawClient(at)) {
            return c.send("GET " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n").read();
        }
    }

    @Test
    void eachListenerHasItsRoutesAndTheSharedOnes() throws Exception {
        Origin origin = servers.origin("o");
        Gateway g = servers.gateway(Configs.yaml("""
                gateway:
                  io_threads: 1
                  listeners: [{name: main, address: 127.0.0.1:0}, {name: side, address: 127.0.0.1:0}]
                  admin: {address: 127.0.0.1:0}
                  access_log: {enabled: false}
                  warmup: {enabled: false}
                  upstreams:
                    app: {endpoints: [%s], health: {active: {enabled: false}}}
                  routes:
                    - {name: plain, path_prefix: /, upstream: app, listeners: [main]}
                    - name: marked
                      path_prefix: /
                      upstream: app
                      listeners: [side]
                      filters: [{headers: {response: {set: {X-Route: marked}}}}]
                    - name: shared
                      path_prefix: /shared
                      upstream: app
                      filters: [{headers: {response: {set: {X-Route: shared}}}}]
                """.formatted(origin.address())), BuiltInFilters.types());
        assertThat(get(g.listenerAddress("main"), "/x").header("X-Route")).isNull();
        assertThat(get(g.listenerAddress("side"), "/x").header("X-Route")).isEqualTo("marked");
        assertThat(get(g.listenerAddress("main"), "/shared/x").header("X-Route")).isEqualTo("shared");
        assertThat(get(g.listenerAddress("side"), "/shared/x").header("X-Route")).isEqualTo("shared");
    }
}
