package dev.strata.gateway.config;

import java.net.InetSocketAddress;

/** One client-facing listener. */
public record ListenerConfig(String name, String address) {

    public ListenerConfig {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("listeners.name: '" + name + "' (expected: not empty)");
        }
        HostPort.parse("listeners." + name + ".address", address);
    }

    public InetSocketAddress socketAddress() {
        return HostPort.parse("listeners." + name + ".address", address);
    }
}
