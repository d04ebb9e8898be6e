package dev.strata.gateway.warmup;

import dev.strata.gateway.proxy.Transport;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.admin.AdminServer;
import dev.strata.gateway.config.GatewayConfig;
import dev.strata.gateway.testing.Configs;
import io.netty.channel.EventLoopGroup;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The warm-up's traffic: every kind of request it sends is answered, none by an error. */
class WarmupTrafficTest {

    @Test
    void everyWarmupRequestIsAnsweredWithoutAServerError() throws Exception {
        GatewayConfig config = Configs.gateway("""
                  warmup: {enabled: true, max_time: 3s}
                  routes:
                    - {name: api, host: "*.example.com", path_prefix: /v1, upstream: app}
                    - {name: rest, host: "*", path_prefix: /, upstream: app}
                """, "127.0.0.1:1");
        Warmup.Result r = run(config);
        // every request of the rotation went through at least twice (the warm-up's speed is not the point)
        assertThat(r.requests()).isGreaterThanOrEqualTo(2L * WarmupTraffic.requests(config).keepAlive().size());
        assertThat(r.failures()).isZero();
    }

    @Test
    void withoutRoutesTheGatewaysOwnAnswersAreWarmed() throws Exception {
        GatewayConfig config = Configs.gateway("""
                  warmup: {enabled: true, max_time: 2s}
                  limits: {max_connections: 4}
                  routes: []
                """, "127.0.0.1:1");
        Warmup.Result r = run(config);
        assertThat(r.requests()).isGreaterThanOrEqualTo(2L * WarmupTraffic.requests(config).keepAlive().size());
        assertThat(r.failures()).isZero();
    }

    private static Warmup.Result run(GatewayConfig config) throws Exception {
        Transport transport = Transport.detect();
        EventLoopGroup group = transport.newGroup(1, "test-io");
        var blocking = Executors.newSingleThreadExecutor();
        try {
            return Warmup.run(config, dev.strata.gateway.filter.builtin.BuiltInFilters.types(), transport, group, proxy -> {
                try {
                    return AdminServer.forWarmup(proxy, group, transport, blocking);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
        } finally {
            blocking.shutdownNow();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
