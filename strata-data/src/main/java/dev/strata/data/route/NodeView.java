package dev.strata.data.route;

/**
 * One database node as a router sees it.
 *
 * @param name {@code primary}, or {@code replica-N} in the order of the configured replicas
 * @param role {@code primary} or {@code replica}
 * @param state {@code up} or {@code down} for the primary; {@code healthy}, {@code lagging} (shunned:
 *     past {@code max_lag}), {@code ejected} (a read failed; out until its back-off ends) or
 *     {@code down} (does not answer the poll) for a replica
 * @param position the node's last polled WAL position (insert position on the primary, replay
 *     position on a replica)
 * @param lagBytes how far the replica's replay is behind the primary's position
 * @param lagMillis how long ago the primary passed the replica's replay position
 * @param inFlight queries running on it now
 * @param queries queries it has served
 */
public record NodeView(String name, String role, String address, String state, String position, long lagBytes,
                       long lagMillis, int inFlight, long queries) {}
