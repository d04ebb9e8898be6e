package dev.strata.gateway.dashboard;

/**
 * {@code admin.dashboard}: the live page at {@code /_strata/} and its data.
 *
 * @param enabled  whether the admin listener serves the page and {@code /_strata/dashboard.json}
 * @param topology a {@code topology.json} as {@code ./strata up} writes it (nodes with name, role, url,
 *                 pid), whose nodes the page shows beside the gateway's endpoints; empty for none
 */
public record DashboardConfig(boolean enabled, String topology) {

    public DashboardConfig {
        topology = topology == null ? "" : topology.strip();
    }

    public static DashboardConfig defaults() {
        return new DashboardConfig(true, "");
    }
}
