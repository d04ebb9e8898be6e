package dev.strata.gateway.testing;

import dev.strata.gateway.cluster.Cluster;
import dev.strata.gateway.filter.FilterTypes;
import dev.strata.gateway.filter.TestFilters;
import dev.strata.gateway.filter.Verdict;
import dev.strata.gateway.filter.WarmupMode;
import dev.strata.gateway.filter.builtin.BuiltInFilters;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The filter type {@code cluster_probe}: it lets every request pass and hands the test the {@link Cluster}
 * its filters were built with ({@code FilterBuild.cluster()}: none in a warm-up build or outside a
 * cluster). A gateway whose configuration has {@link #ROUTES} and whose filter types are {@link #types()}
 * has one to give.
 */
public final class ClusterProbe {

    /** A {@code routes:} section (of the {@code gateway:} section) whose one route carries the probe. */
    public static final String ROUTES = "  routes:\n    - {name: a, path_prefix: /, filters: [{cluster_probe: {}}]}\n";

    private final AtomicReference<Cluster> seen = new AtomicReference<>();

    /** The built-in filter types and the probe. */
    public FilterTypes types() {
        return BuiltInFilters.types().with(TestFilters.type("cluster_probe", WarmupMode.THROWAWAY_STATE, build -> {
            build.cluster().ifPresent(seen::set);
            return context -> Verdict.CONTINUE;
        }));
    }

    /** The cluster the probe was last handed; throws when it was handed none. */
    public Cluster cluster() {
        Cluster c = seen.get();
        if (c == null) {
            throw new IllegalStateException("the probe was handed no cluster (is gateway.cluster enabled?)");
        }
        return c;
    }
}
