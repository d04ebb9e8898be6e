package dev.strata.data.route;

/**
 * The outcome of a read.
 *
 * @param position a WAL position the data read is at least as fresh as: the serving node had replayed (or,
 *     the primary, written) this far before the read began. A lower bound, from the router's last poll of
 *     the node or from the check of a token's position on the read's own connection
 */
public record ReadAt<T>(T value, WalPosition position) {}
