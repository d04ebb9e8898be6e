package dev.strata.gateway.cache;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.gateway.admin.AdminReply;
import dev.strata.gateway.admin.AdminRequest;
import dev.strata.gateway.admin.AdminResource;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The cache's admin resources: {@code POST /_strata/purge} and {@code GET /_strata/cache}. The admin
 * listener checks the method, the token and the size of the body before these see a call.
 */
final class CacheAdmin {

    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private CacheAdmin() {}

    /** {@code POST /_strata/purge} with {@code {"urls": [...], "tags": [...], "prefix": "/...", "soft": false}}. */
    static final class Purge implements AdminResource {
        private final Stores stores;

        Purge(Stores stores) {
            this.stores = stores;
        }

        @Override
        public String path() {
            return "/_strata/purge";
        }

        @Override
        public Set<String> methods() {
            return Set.of("POST");
        }

        @Override
        public CompletionStage<AdminReply> handle(AdminRequest request) {
            if (request.contentType() == null || !request.contentType().toLowerCase(java.util.Locale.ROOT)
                    .startsWith("application/json")) {
                return CompletableFuture.completedFuture(AdminReply.problem(415,
                        "a purge is a JSON object (expected: Content-Type: application/json)"));
            }
            PurgeRequest purge;
            try {
                purge = JSON.readValue(request.body(), PurgeRequest.class);
            } catch (JsonProcessingException e) {
                Throwable cause = e.getCause() instanceof IllegalArgumentException iae ? iae : e;
                String detail = cause instanceof IllegalArgumentException ? cause.getMessage()
                        : "not a purge: " + e.getOriginalMessage();
                throw new IllegalArgumentException(detail);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("unreadable body");
            }
            if (purge == null) {
                throw new IllegalArgumentException("a purge is a JSON object");
            }
            int n = stores.apply(purge);
            PurgeFanout fanout = stores.fanout();
            if (fanout == null) {
                return CompletableFuture.completedFuture(AdminReply.json(200,
                        "{\"purged\":" + n + ",\"soft\":" + purge.soft() + ",\"gateways\":{\"live\":1,\"applied\":1}}"));
            }
            // answered once every live gateway applied it (or the wait ran out: then the answer says who is missing)
            return fanout.publish(purge).handle((b, e) -> {
                if (e != null) {
                    return AdminReply.problem(503, "purged here (" + n + " responses), but the other gateways could "
                            + "not be reached: Redis is unavailable; retry");
                }
                String body = "{\"purged\":" + n + ",\"soft\":" + purge.soft() + ",\"gateways\":{\"live\":"
                        + b.live().size() + ",\"applied\":" + b.applied().size() + ",\"missing\":"
                        + json(b.missing()) + ",\"failed\":" + json(b.failed()) + "}}";
                return b.complete() ? AdminReply.json(200, body) : new AdminReply(504, "application/json",
                        body.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            });
        }
    }

    /** {@code GET /_strata/cache}: per route, size, objects, hit ratio; the largest objects. */
    static AdminResource view(Stores stores) {
        return AdminResource.json("/_strata/cache", request -> summary(stores));
    }

    private static String summary(Stores stores) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode routes = root.putObject("routes");
        long bytes = 0;
        long objects = 0;
        long hits = 0;
        long misses = 0;
        for (Map.Entry<String, Store> e : new java.util.TreeMap<>(stores.byRoute()).entrySet()) {
            Store s = e.getValue();
            s.cleanUp();
            ObjectNode r = routes.putObject(e.getKey());
            r.put("bytes", s.bytes());
            r.put("objects", s.keysStored());
            r.put("hits", s.hits.sum());
            r.put("misses", s.missesTotal());
            r.put("hit_ratio", ratio(s.hits.sum(), s.missesTotal()));
            r.put("evictions", s.evictions.sum());
            if (s.fences.enabled()) {
                r.put("fences", s.fences.size());
                r.put("fenced", s.fenced.sum());
            }
            bytes += s.bytes();
            objects += s.keysStored();
            hits += s.hits.sum();
            misses += s.missesTotal();
        }
        root.put("bytes", bytes);
        root.put("objects", objects);
        root.put("hit_ratio", ratio(hits, misses));
        root.put("purges", stores.purges());
        root.put("invalidations_unacknowledged", stores.unacknowledged());
        ArrayNode largest = root.putArray("largest");
        for (StoredResponse r : stores.largest(10)) {
            largest.addObject().put("key", r.key).put("bytes", r.length).put("status", r.status);
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static double ratio(long hits, long misses) {
        return hits + misses == 0 ? 0 : (double) hits / (hits + misses);
    }

    private static String json(Set<String> names) {
        try {
            return JSON.writeValueAsString(new java.util.TreeSet<>(names));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
