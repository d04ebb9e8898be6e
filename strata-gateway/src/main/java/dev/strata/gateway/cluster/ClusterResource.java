package dev.strata.gateway.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.gateway.admin.AdminResource;

/** {@code GET /_strata/cluster}: the cluster as this gateway sees it. */
final class ClusterResource {

    private static final ObjectMapper JSON = new ObjectMapper();

    private ClusterResource() {}

    /** The resource for {@code cluster}, or for a gateway outside any cluster when it is {@code null}. */
    static AdminResource of(RedisCluster cluster) {
        return AdminResource.json("/_strata/cluster", request -> json(cluster));
    }

    private static String json(RedisCluster cluster) {
        ObjectNode root = JSON.createObjectNode();
        root.put("enabled", cluster != null);
        if (cluster != null) {
            ClusterConfig config = cluster.config();
            root.put("self", cluster.self());
            root.put("redis", config.redis());
            root.put("namespace", config.namespace());
            root.put("connected", cluster.connected());
            ArrayNode m = root.putArray("members");
            cluster.members().stream().sorted().forEach(m::add);
            long last = cluster.membership().lastHeartbeatNanos();
            if (last != 0) {
                root.put("last_heartbeat_ms_ago", (System.nanoTime() - last) / 1_000_000);
            }
            ArrayNode topics = root.putArray("topics");
            cluster.bus().topics().forEach(topics::add);
            root.put("broadcasts_in_flight", cluster.bus().inFlight());
            String lastError = cluster.lastError();
            if (!lastError.isEmpty()) {
                root.put("last_error", lastError);
            }
        }
        return root.toString();
    }
}
