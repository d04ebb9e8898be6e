package dev.strata.data.route;

/**
 * The outcome of a committed write.
 *
 * @param position the primary's WAL position right after the commit: a replica that has replayed
 *     this far sees the write
 */
public record Written<T>(T value, WalPosition position) {}
