package dev.strata.gateway.cluster;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.gateway.admin.AdminReply;
import dev.strata.gateway.admin.AdminRequest;
import dev.strata.gateway.admin.AdminResource;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** {@code GET /_strata/cluster}: the cluster as this gateway sees it ({@code cluster} is null outside one). */
record ClusterResource(RedisCluster cluster) implements AdminResource {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    public String path() {
        return "/_strata/cluster";
    }

    @Override
    public Set<String> methods() {
        return Set.of("GET");
    }

    @Override
    public CompletionStage<AdminReply> handle(AdminRequest request) {
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
        return CompletableFuture.completedFuture(AdminReply.json(200, root.toString()));
    }
}
