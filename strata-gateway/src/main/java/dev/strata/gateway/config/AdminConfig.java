package dev.strata.gateway.config;

import java.net.InetSocketAddress;

/** The admin listener; {@code token} guards its POST endpoints when not empty. */
public record AdminConfig(String address, String token) {

    public AdminConfig {
        HostPort.parse("admin.address", address);
        token = token == null ? "" : token;
    }

    public InetSocketAddress socketAddress() {
        return HostPort.parse("admin.address", address);
    }
}
