/**
 * Query routing over a PostgreSQL primary and its streaming replicas:
 * {@link dev.strata.data.route.DatabaseRouter} (writes to the primary, lag-aware reads on replicas,
 * reads at a {@link dev.strata.data.route.WalPosition}) and
 * {@link dev.strata.data.route.ConsistencyTokens} (a write's position, signed, for the client to carry).
 */
package dev.strata.data.route;
