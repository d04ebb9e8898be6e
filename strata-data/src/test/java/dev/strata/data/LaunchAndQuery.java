package dev.strata.data;

import dev.strata.data.testing.PostgresExtension;
import java.nio.file.Path;

/** Run in a child JVM by {@link EmbeddedPostgresTest}: starts a server in {@code args[0]}, queries it, stops it. */
final class LaunchAndQuery {

    public static void main(String[] args) throws Exception {
        DataConfig config = PostgresExtension.embeddedConfig(Path.of(args[0]));
        try (RunningPostgres pg = EmbeddedPostgres.start(config, false)) {
            System.out.println("current_user=" + EmbeddedPostgresTest.queryString(pg, config, "SELECT current_user"));
            System.out.println("postmaster_uid=" + EmbeddedPostgresTest.uidOf(pg.pid()));
        }
        System.exit(0);
    }
}
