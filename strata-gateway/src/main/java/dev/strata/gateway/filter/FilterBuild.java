package dev.strata.gateway.filter;

import dev.strata.gateway.admin.AdminResource;
import dev.strata.gateway.cluster.Cluster;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.function.Supplier;

/** What a {@link FilterType} may use to build a filter for one route of one configuration generation. */
public interface FilterBuild {

    /** The route the filter serves; {@link FilterTypes#UNROUTED} for requests that no route took. */
    String route();

    /**
     * The upstream group the route sends its requests to; {@code null} for a route that answers itself
     * ({@code respond:}) and for {@link FilterTypes#UNROUTED}.
     */
    String upstream();

    /** Whether the filter is built for the warm-up (then {@link #state} and {@link #meters} are throw-away). */
    boolean warmup();

    /**
     * State that outlives a reload (counters, a store): the object kept under {@code key} by the previous
     * generation when there is one of {@code type}, else a new one from {@code create}. Keys are the
     * filter type's own; a key no generation asks for any more is let go at the next reload (and closed
     * then, when the object is {@link AutoCloseable}).
     */
    <T> T state(String key, Class<T> type, Supplier<T> create);

    /** Where the filter registers its meters. */
    MeterRegistry meters();

    /**
     * Serves {@code resource} on the admin listener while this generation is current. Several filters
     * may register the same object (a type's one resource, kept with {@link #state}); two different
     * objects for one path are refused. Ignored in a warm-up build.
     */
    void admin(AdminResource resource);

    /**
     * The gateways sharing one Redis, when {@code gateway.cluster} is enabled: the broadcast bus and the
     * shared connection. Empty without a cluster, and in a warm-up build.
     */
    default Optional<Cluster> cluster() {
        return Optional.empty();
    }

    /** Requests through this gateway's own request path, for background work ({@link Loopback}). */
    Loopback loopback();
}
