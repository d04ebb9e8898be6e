package dev.strata.gateway.proxy;

import dev.strata.gateway.config.Cidr;
import dev.strata.gateway.config.GatewayConfig;
import dev.strata.gateway.route.Router;
import dev.strata.gateway.upstream.Upstreams;
import java.net.InetAddress;
import java.util.List;

/**
 * One generation of the gateway's configuration, as the request path uses it. Immutable: a request
 * reads the live snapshot once, at its start, and uses that generation to its end; a reload swaps the
 * whole snapshot at once. {@code via} is the Via element this gateway adds, as bytes ({@code null}: none).
 */
public record Snapshot(GatewayConfig config, Router router, Upstreams upstreams, List<Cidr> trustedProxies,
                       byte[] via) {

    public static Snapshot of(GatewayConfig config, Upstreams upstreams) {
        return new Snapshot(config, new Router(config.routes()), upstreams,
                config.forwarding().trustedProxies().stream().map(Cidr::parse).toList(),
                config.forwarding().via() ? Wire.ascii("1.1 " + config.name()) : null);
    }

    boolean trusted(InetAddress address) {
        for (Cidr c : trustedProxies) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }
}
