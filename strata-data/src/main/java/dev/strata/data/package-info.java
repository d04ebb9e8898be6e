/**
 * Database access for Strata services: {@link dev.strata.data.DataConfig} (section {@code data}),
 * {@link dev.strata.data.Database} (HikariCP pool plus Flyway migrations),
 * {@link dev.strata.data.EmbeddedPostgres} (a real PostgreSQL server as a child process) and
 * {@link dev.strata.data.PostgresNode} (the {@code postgres} role).
 */
package dev.strata.data;
