package dev.strata.gateway.limit;

import java.util.concurrent.CompletionStage;

/**
 * Where the GCRA state of the keys lives: in this gateway ({@link LocalStore}) or shared by every gateway
 * ({@link RedisStore}). A decision may take a round trip, so it is a stage; a store that holds the state
 * itself answers at once through {@link #now}.
 */
interface LimitStore {

    /**
     * The decision at once, or {@code null} when it comes through {@link #decide}. {@code key} is the
     * request's key (at most {@link RateLimitFilter#MAX_KEY_CHARS} characters); the store counts it apart
     * for each limit name.
     */
    default Decision now(String key, Limit limit) {
        return null;
    }

    /**
     * The decision for one request of {@code key} under {@code limit}. The stage always completes, within
     * the store's own timeout, never exceptionally (a store that fails answers by its failure mode).
     */
    CompletionStage<Decision> decide(String key, Limit limit);
}
