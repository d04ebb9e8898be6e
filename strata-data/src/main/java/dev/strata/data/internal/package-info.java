/**
 * How the embedded PostgreSQL server is unpacked, initialized, run and stopped. Internal to Strata:
 * may change without notice; use {@link dev.strata.data.EmbeddedPostgres} instead.
 */
package dev.strata.data.internal;
