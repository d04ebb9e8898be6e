package dev.strata.data.route;

import java.util.List;

/**
 * A router's view in the Prometheus text format (version 0.0.4): {@code strata_db_*} series by
 * database node and role.
 */
public final class RouterMetrics {

    private RouterMetrics() {}

    public static String prometheus(DatabaseRouter router) {
        List<NodeView> nodes = router.nodes();
        StringBuilder b = new StringBuilder(1024);
        family(b, "strata_db_queries_total", "counter", "Queries a database node has served, by node and role.");
        nodes.forEach(n -> sample(b, "strata_db_queries_total", n, n.queries()));
        family(b, "strata_db_in_flight", "gauge", "Queries running on a database node now.");
        nodes.forEach(n -> sample(b, "strata_db_in_flight", n, n.inFlight()));
        family(b, "strata_db_up", "gauge", "1 when a database node may serve (primary up; replica healthy), else 0.");
        nodes.forEach(n -> sample(b, "strata_db_up", n, n.state().equals("up") || n.state().equals("healthy") ? 1 : 0));
        family(b, "strata_db_replica_lag_bytes", "gauge", "How far a replica's replay is behind the primary, in bytes of WAL (-1: unknown).");
        nodes.stream().filter(n -> n.role().equals("replica")).forEach(n -> sample(b, "strata_db_replica_lag_bytes", n, n.lagBytes()));
        family(b, "strata_db_replica_lag_seconds", "gauge", "How long ago the primary passed a replica's replay position (-1: unknown).");
        nodes.stream().filter(n -> n.role().equals("replica"))
                .forEach(n -> sampleDouble(b, "strata_db_replica_lag_seconds", n, n.lagMillis() < 0 ? -1 : n.lagMillis() / 1000.0));
        family(b, "strata_db_token_reads_total", "counter", "Reads that carried a consistency token.");
        b.append("strata_db_token_reads_total ").append(router.tokenReads()).append('\n');
        family(b, "strata_db_token_waits_total", "counter", "Reads with a token that waited for a replica to replay it.");
        b.append("strata_db_token_waits_total ").append(router.tokenWaits()).append('\n');
        family(b, "strata_db_primary_fallbacks_total", "counter", "Reads the primary served because no replica could.");
        b.append("strata_db_primary_fallbacks_total ").append(router.primaryFallbacks()).append('\n');
        return b.toString();
    }

    private static void family(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder b, String name, NodeView n, long value) {
        b.append(name).append("{db_node=\"").append(n.name()).append("\",role=\"").append(n.role()).append("\"} ")
                .append(value).append('\n');
    }

    private static void sampleDouble(StringBuilder b, String name, NodeView n, double value) {
        b.append(name).append("{db_node=\"").append(n.name()).append("\",role=\"").append(n.role()).append("\"} ")
                .append(value).append('\n');
    }
}
