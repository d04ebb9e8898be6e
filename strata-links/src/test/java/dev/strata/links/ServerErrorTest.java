package dev.strata.links;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.data.DataConfig;
import dev.strata.data.testing.PostgresExtension;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A failure nobody planned for is a 500 problem that tells the client nothing about the server. */
class ServerErrorTest {

    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @Test
    void anUnexpectedFailureIsAPlain500Problem() throws Exception {
        DataConfig data = PG.dataConfig();
        try (LinksNode node = LinksNode.start(TestNodes.config("links-500"), data)) {
            try (Connection c = DriverManager.getConnection(data.jdbcUrl(), data.user(), data.password());
                 Statement s = c.createStatement()) {
                s.execute("ALTER TABLE links RENAME TO links_elsewhere");
            }
            HttpResponse<String> r = new TestClient(node).postJson("/api/links", "{\"url\":\"https://example.com/\"}");
            assertThat(r.statusCode()).isEqualTo(500);
            assertThat(r.headers().firstValue("Content-Type")).contains("application/problem+json");
            assertThat(r.headers().firstValue("X-Served-By")).contains("links-500");
            assertThat(r.body()).doesNotContain("links_elsewhere").doesNotContain("relation")
                    .doesNotContain("SQL").doesNotContain("at org.").doesNotContain("Exception");
        }
    }
}
