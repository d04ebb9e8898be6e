package dev.strata.gateway.health;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Passive outlier detection for one upstream group: turns per-endpoint failure streaks into
 * ejections while keeping the share of ejected endpoints under {@code max_ejected_percent}, and never
 * ejecting the last eligible endpoint.
 *
 * <h2>Design notes</h2>
 *
 * <h3>How many may be ejected</h3>
 * At most {@code max(1, floor(size * max_ejected_percent / 100))} endpoints of the group are ejected
 * at once; at least one may always be ejected, as in Envoy. Only ejections count toward the cap;
 * endpoints that active checks hold unhealthy do not, because the cap limits what passive detection
 * takes away. An ejection refused for lack of room is asked for again by the endpoint's next failure.
 *
 * <h3>Never the last eligible endpoint</h3>
 * An ejection also needs another member that is eligible (neither ejected nor held unhealthy by active
 * checks). Passive signals are answers to requests, and for the last endpoint that can serve they
 * cannot tell an endpoint that is down from a run of bad requests: ejecting it turns every request
 * into a 503 for {@code base_ejection}, so that in a group of one a single broken URL would take the
 * whole service down. nginx ignores {@code max_fails} for a group of one for the same reason. The last
 * eligible endpoint keeps its traffic; active checks, which test the endpoint rather than one URL, still
 * take it out, and then the group's panic threshold decides whether requests go to it anyway. When
 * another member becomes eligible again, the next failure of a refused endpoint asks again and may
 * eject it. Active checks change eligibility without this detector's lock, so a check may take the
 * other member out just after an ejection; the panic threshold covers that case too.
 *
 * <h3>Threading</h3>
 * {@link #record} is called per response from every event loop. The common path (a success, or a
 * failure below the threshold) is the endpoint's own lock-free counting. Only an endpoint whose
 * streak has reached the threshold enters the detector's lock, where counting the ejected members
 * and ejecting happen as one step, so two failures racing cannot both take the last free slot, eject
 * the last two eligible endpoints, or eject the same endpoint twice.
 *
 * <h3>Reloads</h3>
 * {@link #updateGroup} replaces the members. Endpoints that stay should be passed as the same
 * {@link EndpointHealth} objects, so their ejections and ramps survive the reload; endpoints that
 * left are no longer ejected by late responses.
 */
public final class OutlierDetector {

    private final HealthConfig.Outlier config;
    private final Object ejectionLock = new Object();
    private final AtomicLong ejectionsTotal = new AtomicLong();
    private volatile List<EndpointHealth> group;

    public OutlierDetector(HealthConfig.Outlier config, List<EndpointHealth> group) {
        this(config, group, 0);
    }

    /**
     * A detector that continues the count of {@code ejectionsSoFar}, e.g. the one it replaces on a
     * reload, so that the ejection counter stays monotonic.
     */
    public OutlierDetector(HealthConfig.Outlier config, List<EndpointHealth> group, long ejectionsSoFar) {
        if (ejectionsSoFar < 0) {
            throw new IllegalArgumentException(String.format("ejectionsSoFar: %s (expected: >= 0)", ejectionsSoFar));
        }
        this.config = Objects.requireNonNull(config, "config");
        this.group = List.copyOf(group);
        this.ejectionsTotal.set(ejectionsSoFar);
    }

    /**
     * Records one request's outcome on {@code endpoint}; returns whether the endpoint was ejected by it.
     * This counts the outcome on the endpoint too: callers do not also call {@link EndpointHealth#record}.
     */
    public boolean record(EndpointHealth endpoint, Outcome outcome) {
        if (!config.enabled() || !endpoint.record(outcome)) {
            return false;
        }
        synchronized (ejectionLock) {
            List<EndpointHealth> members = group;
            if (!containsSame(members, endpoint)) {
                return false;
            }
            if (ejected(members) >= maxEjected(members.size()) || !anotherEligible(members, endpoint)
                    || !endpoint.eject()) {
                return false;
            }
            ejectionsTotal.incrementAndGet();
            return true;
        }
    }

    /** Replaces the group's members, e.g. on a configuration reload. */
    public void updateGroup(List<EndpointHealth> members) {
        List<EndpointHealth> copy = List.copyOf(members);
        synchronized (ejectionLock) {
            group = copy;
        }
    }

    /** Total ejections so far, for metrics. */
    public long ejectionsTotal() {
        return ejectionsTotal.get();
    }

    /** Members ejected now, for metrics. */
    public int ejectedNow() {
        return ejected(group);
    }

    /** How many of {@code size} endpoints may be ejected at once. */
    int maxEjected(int size) {
        return Math.max(1, size * config.maxEjectedPercent() / 100);
    }

    private static int ejected(List<EndpointHealth> members) {
        int ejected = 0;
        for (EndpointHealth member : members) {
            if (member.ejected()) {
                ejected++;
            }
        }
        return ejected;
    }

    /** Whether a member other than {@code endpoint} may get requests now. */
    private static boolean anotherEligible(List<EndpointHealth> members, EndpointHealth endpoint) {
        for (EndpointHealth member : members) {
            if (member != endpoint && member.eligible()) {
                return true;
            }
        }
        return false;
    }

    private static boolean containsSame(List<EndpointHealth> members, EndpointHealth endpoint) {
        for (EndpointHealth member : members) {
            if (member == endpoint) {
                return true;
            }
        }
        return false;
    }
}
