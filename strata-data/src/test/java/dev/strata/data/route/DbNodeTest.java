package dev.strata.data.route;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.data.DataConfig;
import dev.strata.data.EmbeddedPostgres;
import dev.strata.data.RunningPostgres;
import dev.strata.data.testing.PostgresExtension;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** One database node as the router polls it: a node back after its polls failed starts afresh. */
class DbNodeTest {

    @Test
    void aNodeThatAnswersItsPollAgainAfterAnOutageIsNoLongerEjected() {
        Path dir = Path.of("target", "pg", "dbnode-" + UUID.randomUUID()).toAbsolutePath();
        DataConfig config = PostgresExtension.embeddedConfig(dir).withEmbedded(dir, PostgresExtension.freePort());
        DbNode node = new DbNode("test", "primary", true, config.jdbcUrl(), config);
        RunningPostgres server = null;
        try {
            assertThat(node.poll()).as("nothing listens yet").isFalse();
            for (int i = 0; i < 5; i++) { // reads that failed while it went down: the back-off has grown
                node.eject(System.nanoTime());
            }
            long ejection = config.routing().ejection().toNanos();
            assertThat(node.ejected(System.nanoTime() + 2 * ejection)).isTrue();

            server = EmbeddedPostgres.start(config, false);
            assertThat(node.poll()).isTrue();
            assertThat(node.ejected(System.nanoTime())).as("back in rotation at once").isFalse();
            long now = System.nanoTime();
            node.eject(now);
            assertThat(node.ejected(now + ejection + TimeUnit.MILLISECONDS.toNanos(1)))
                    .as("a new failure counts as the first").isFalse();
        } finally {
            node.close();
            if (server != null) {
                server.close();
            }
        }
    }
}
