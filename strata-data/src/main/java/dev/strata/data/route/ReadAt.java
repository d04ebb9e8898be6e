package dev.strata.data.route;

/**
 * The outcome of a read.
 *
 * @param position a WAL position the data read is at least as fresh as: a replica had replayed this far
 *     before the read began (the router's last poll of it, or the check of a token's position on the read's
 *     own connection); on the primary, one byte before its last polled insert position (a commit's record
 *     can be in the WAL before the commit is visible, but a write's own position is taken once it is), or
 *     the token's position when that is later. A lower bound: compared with a write's position, a read
 *     that may have missed the write is always before it
 */
public record ReadAt<T>(T value, WalPosition position) {}
