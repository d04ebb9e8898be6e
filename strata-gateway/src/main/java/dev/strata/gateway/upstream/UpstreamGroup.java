package dev.strata.gateway.upstream;

import dev.strata.gateway.balance.LoadBalancer;
import dev.strata.gateway.config.UpstreamConfig;
import dev.strata.gateway.filter.RequestView;
import dev.strata.gateway.health.EndpointHealth;
import dev.strata.gateway.health.OutlierDetector;
import dev.strata.gateway.health.RetryBudget;
import dev.strata.gateway.key.RequestKey;
import java.util.ArrayList;
import java.util.List;

/**
 * An upstream group as one configuration sees it: its endpoints, balancer, outlier detector and retry
 * budget. Immutable apart from the thread-safe objects it holds; a reload builds a new group that
 * shares the endpoints it keeps.
 *
 * <h2>Design notes</h2>
 * Selection passes the balancer only eligible endpoints that this request has not tried yet. In the
 * common case (every endpoint eligible, none tried) it passes the group's own immutable list, so a
 * selection allocates nothing; otherwise it copies the candidates into a small list.
 */
public final class UpstreamGroup {

    private final String name;
    private final UpstreamConfig config;
    private final List<Endpoint> endpoints;
    private final LoadBalancer balancer;
    private final OutlierDetector detector;
    private final RetryBudget retryBudget;
    /** The key the balancer places a request by, or {@code null} when its policy reads none. */
    private final RequestKey key;

    /** @param previous this group in the configuration being replaced, or {@code null} */
    UpstreamGroup(String name, UpstreamConfig config, List<Endpoint> endpoints, RetryBudget retryBudget,
                  UpstreamGroup previous) {
        this.name = name;
        this.config = config;
        this.endpoints = List.copyOf(endpoints);
        this.balancer = LoadBalancer.of(config.balance());
        List<EndpointHealth> healths = new ArrayList<>();
        for (Endpoint e : endpoints) {
            healths.add(e.health());
        }
        this.detector = new OutlierDetector(config.health().outlier(), healths,
                previous == null ? 0 : previous.detector.ejectionsTotal());
        this.retryBudget = retryBudget;
        this.key = config.balance().requestKey();
    }

    public String name() {
        return name;
    }

    public UpstreamConfig config() {
        return config;
    }

    public List<Endpoint> endpoints() {
        return endpoints;
    }

    public RetryBudget retryBudget() {
        return retryBudget;
    }

    public OutlierDetector detector() {
        return detector;
    }

    /**
     * Picks an endpoint for {@code request}.
     *
     * @param tried bit {@code i} set when endpoint {@code i} of {@link #endpoints()} was tried already
     * @return the endpoint's index, or {@code -1} when no endpoint is eligible
     */
    public int select(RequestView request, long tried) {
        List<Endpoint> all = endpoints;
        int n = all.size();
        boolean allEligible = tried == 0;
        for (int i = 0; allEligible && i < n; i++) {
            allEligible = all.get(i).health().eligible();
        }
        List<Endpoint> candidates;
        if (allEligible) {
            candidates = all;
        } else {
            candidates = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Endpoint e = all.get(i);
                if ((i >= 64 || (tried & (1L << i)) == 0) && e.health().eligible()) {
                    candidates.add(e);
                }
            }
            if (candidates.isEmpty()) {
                return -1;
            }
        }
        Endpoint chosen = candidates.size() == 1 ? candidates.get(0)
                : balancer.pick(candidates, key == null ? null : key.of(request));
        return all.indexOf(chosen);
    }

    /** Whether some eligible endpoint is not in {@code tried} (see {@link #select}). */
    public boolean hasUntried(long tried) {
        List<Endpoint> all = endpoints;
        for (int i = 0; i < all.size(); i++) {
            if ((i >= 64 || (tried & (1L << i)) == 0) && all.get(i).health().eligible()) {
                return true;
            }
        }
        return false;
    }
}
