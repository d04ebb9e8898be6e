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
 *
 * <h3>Candidates</h3>
 * Selection passes the balancer the endpoints this request has not tried yet that are eligible
 * (neither ejected nor unhealthy). In the common case (every endpoint eligible, none tried) it passes
 * the group's own immutable list, so a selection allocates nothing; otherwise it copies the candidates
 * into a small list.
 *
 * <h3>Panic</h3>
 * When fewer than {@code balance.panic_threshold} of the endpoints are eligible, the group panics, as
 * Envoy's does: health is ignored and every untried endpoint is a candidate. Health verdicts can be
 * wrong all together (a check URL that broke, a dependency every endpoint shares, a burst that
 * overloaded them all for a moment); when they say most of a group is gone, sending the whole load to
 * the few left would overload those too, and with none left every request would be refused, while
 * the endpoints said to be gone may well serve most requests. Panic is decided on every selection from
 * the endpoints' current states, so it ends by itself when enough of them are eligible again.
 * {@link #hasUntried} decides the same way, so retries see the candidates that selection sees.
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
    /** {@code balance.panic_threshold}, in percent. */
    private final double panicThreshold;

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
        this.panicThreshold = config.balance().panicThreshold();
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
     * Picks an endpoint for {@code request}: an eligible one, or any one while the group panics (see
     * the design notes).
     *
     * @param tried bit {@code i} set when endpoint {@code i} of {@link #endpoints()} was tried already
     * @return the endpoint's index, or {@code -1} when no endpoint is a candidate
     */
    public int select(RequestView request, long tried) {
        List<Endpoint> all = endpoints;
        int n = all.size();
        int eligible = eligible();
        boolean panic = panics(eligible, n);
        List<Endpoint> candidates;
        if (tried == 0 && (eligible == n || panic)) {
            candidates = all;
        } else {
            candidates = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                Endpoint e = all.get(i);
                if (untried(tried, i) && (panic || e.health().eligible())) {
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

    /** Whether some endpoint not in {@code tried} is a candidate (see {@link #select}). */
    public boolean hasUntried(long tried) {
        List<Endpoint> all = endpoints;
        boolean panic = panics(eligible(), all.size());
        for (int i = 0; i < all.size(); i++) {
            if (untried(tried, i) && (panic || all.get(i).health().eligible())) {
                return true;
            }
        }
        return false;
    }

    /** Whether the group panics now: fewer than {@code balance.panic_threshold} of its endpoints are eligible. */
    public boolean panicking() {
        return panics(eligible(), endpoints.size());
    }

    private boolean panics(int eligible, int size) {
        return eligible < size && eligible * 100.0 < panicThreshold * size;
    }

    private int eligible() {
        List<Endpoint> all = endpoints;
        int eligible = 0;
        for (int i = 0, n = all.size(); i < n; i++) {
            if (all.get(i).health().eligible()) {
                eligible++;
            }
        }
        return eligible;
    }

    /** Endpoints past the 64th are never marked tried; a request makes far fewer attempts. */
    private static boolean untried(long tried, int i) {
        return i >= 64 || (tried & (1L << i)) == 0;
    }
}
