package dev.strata.gateway.shed;

import dev.strata.gateway.admin.AdminResource;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code GET /_strata/shed}: each shed group's current limit, its requests in flight and waiting, and
 * what it was configured with. A group shows the limiter that announced itself last (see
 * {@link GroupLimiter#announce}); one that no generation uses any more drops out once it is collected.
 */
final class ShedResource {

    private final Map<String, WeakReference<GroupLimiter>> groups = new ConcurrentHashMap<>();
    private final AdminResource resource = AdminResource.json("/_strata/shed", request -> json());

    /** What the admin listener serves. */
    AdminResource resource() {
        return resource;
    }

    void current(GroupLimiter limiter) {
        groups.put(limiter.group(), new WeakReference<>(limiter));
    }

    /** Whether a limiter of {@code group} is shown (one still in use). */
    boolean shows(String group) {
        WeakReference<GroupLimiter> ref = groups.get(group);
        return ref != null && ref.get() != null;
    }

    private String json() {
        Map<String, GroupLimiter> live = new TreeMap<>();
        groups.forEach((name, ref) -> {
            GroupLimiter l = ref.get();
            if (l != null) {
                live.put(name, l);
            }
        });
        List<String> items = new ArrayList<>(live.size());
        live.forEach((name, l) -> {
            ShedSettings s = l.settings();
            items.add("{\"upstream\":" + quote(name) + ",\"algorithm\":" + quote(s.algorithm())
                    + ",\"limit\":" + l.limit() + ",\"in_flight\":" + l.inFlight() + ",\"waiting\":" + l.waiting()
                    + ",\"shed\":" + (long) l.shed() + ",\"samples\":" + l.samples()
                    + ",\"min_limit\":" + s.minLimit() + ",\"max_limit\":" + s.maxLimit()
                    + ",\"queue_size\":" + s.queueSize() + ",\"queue_timeout_ms\":" + s.queueTimeout().toMillis() + "}");
        });
        return "{\"groups\":[" + String.join(",", items) + "]}";
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }
}
