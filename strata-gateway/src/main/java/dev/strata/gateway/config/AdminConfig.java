package dev.strata.gateway.config;

import dev.strata.gateway.dashboard.DashboardConfig;
import java.net.InetSocketAddress;

/**
 * The admin listener; {@code token} guards its POST endpoints when not empty; {@code dashboard} is
 * its live page.
 */
public record AdminConfig(String address, String token, DashboardConfig dashboard) {

    public AdminConfig {
        HostPort.parse("admin.address", address);
        token = token == null ? "" : token;
        dashboard = dashboard == null ? DashboardConfig.defaults() : dashboard;
    }

    public InetSocketAddress socketAddress() {
        return HostPort.parse("admin.address", address);
    }
}
