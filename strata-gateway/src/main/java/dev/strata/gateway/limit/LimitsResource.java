package dev.strata.gateway.limit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.strata.gateway.admin.AdminRequest;
import dev.strata.gateway.admin.AdminResource;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code GET /_strata/limits}: the rules as each route was last built with them, and the keys refused in
 * the last minute, most refused first ({@code ?top=N}, default 20, at most 1000). The refused keys are
 * held in a bounded cache (10000 entries), so a flood of distinct keys cannot grow it.
 */
final class LimitsResource {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration RECENT = Duration.ofMinutes(1);

    /** One key being refused: its rule, and how often within {@link #RECENT} of its last refusal. */
    private record Limited(String rule, String key, LongAdder refused) {}

    private final LocalStore local;
    private final Map<String, ObjectNode> rules = new ConcurrentHashMap<>();
    private final Cache<String, Limited> limited = Caffeine.newBuilder()
            .maximumSize(10_000).expireAfterAccess(RECENT).executor(Runnable::run).build();

    private final AdminResource resource = AdminResource.json("/_strata/limits", this::json);

    LimitsResource(LocalStore local) {
        this.local = local;
    }

    /** What the admin listener serves. */
    AdminResource resource() {
        return resource;
    }

    void describe(String route, List<Rule> ruleList, boolean dryRun, String store) {
        for (Rule r : ruleList) {
            ObjectNode n = JSON.createObjectNode();
            n.put("route", route);
            n.put("rule", r.name());
            ObjectNode match = n.putObject("match");
            if (r.route() != null) {
                match.put("route", r.route());
            }
            if (r.host() != null) {
                match.put("host", r.host());
            }
            if (r.pathPrefix() != null) {
                match.put("path_prefix", r.pathPrefix());
            }
            if (!r.methods().isEmpty()) {
                ArrayNode m = match.putArray("methods");
                r.methods().forEach(m::add);
            }
            n.put("key", r.key().toString());
            n.put("rate", r.limit().rate());
            n.put("period_seconds", r.limit().periodSeconds());
            n.put("burst", r.limit().burst());
            n.put("policy", HeaderFields.policy(r.limit()));
            n.put("dry_run", dryRun);
            n.put("store", store);
            rules.put(route + " " + r.name(), n);
        }
    }

    void limited(String rule, String key) {
        String k = rule + ' ' + key;
        Limited l = limited.getIfPresent(k);
        if (l == null) {
            l = limited.get(k, x -> new Limited(rule, key.length() > RateLimitFilter.MAX_KEY_CHARS
                    ? key.substring(0, RateLimitFilter.MAX_KEY_CHARS) + "..." : key, new LongAdder()));
        }
        l.refused().increment();
    }

    private String json(AdminRequest request) {
        int top = 20;
        if (request.query() != null) {
            for (String p : request.query().split("&")) {
                if (p.startsWith("top=")) {
                    try {
                        top = Integer.parseInt(p.substring(4));
                    } catch (NumberFormatException e) {
                        top = -1;
                    }
                    if (top < 1 || top > 1000) {
                        throw new IllegalArgumentException("top: " + p.substring(4) + " (expected: 1..1000)");
                    }
                }
            }
        }
        ObjectNode out = JSON.createObjectNode();
        ArrayNode r = out.putArray("rules");
        rules.values().stream().sorted(Comparator.comparing((ObjectNode n) -> n.get("route").asText())
                .thenComparing(n -> n.get("rule").asText())).forEach(r::add);
        local.cleanUp();
        out.put("local_keys", local.size());
        ArrayNode l = out.putArray("limited");
        limited.asMap().values().stream()
                .sorted(Comparator.comparingLong((Limited x) -> x.refused().sum()).reversed())
                .limit(top)
                .forEach(x -> l.addObject().put("rule", x.rule()).put("key", x.key()).put("refused", x.refused().sum()));
        return out.toString();
    }
}
