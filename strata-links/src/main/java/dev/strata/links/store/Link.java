package dev.strata.links.store;

import java.time.Instant;

/** A stored short link; {@code clicks} is the count already written to the database. */
public record Link(String code, String url, long clicks, Instant createdAt, Instant updatedAt) {}
