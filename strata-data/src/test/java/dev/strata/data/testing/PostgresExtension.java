package dev.strata.data.testing;

import dev.strata.common.config.ConfigLoader;
import dev.strata.data.DataConfig;
import dev.strata.data.EmbeddedPostgres;
import dev.strata.data.RunningPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real PostgreSQL server per test JVM, shared by every test class that registers this
 * extension; each class gets a database of its own, so classes never see each other's rows.
 *
 * <pre>{@code @RegisterExtension static final PostgresExtension PG = new PostgresExtension();}</pre>
 */
public final class PostgresExtension implements BeforeAllCallback {

    private static final AtomicInteger DATABASES = new AtomicInteger();

    private volatile DataConfig config;

    @Override
    public void beforeAll(ExtensionContext context) {
        Shared shared = context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL)
                .computeIfAbsent(Shared.class, k -> Shared.start(), Shared.class);
        String name = context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]", "") + "_" + DATABASES.incrementAndGet();
        shared.createDatabase(name);
        config = shared.config.withUrl("jdbc:postgresql://127.0.0.1:" + shared.server.port() + "/" + name);
    }

    /** The data section that reaches this test class's own database. */
    public DataConfig dataConfig() {
        if (config == null) {
            throw new IllegalStateException("the extension has not run yet (register it on a static field)");
        }
        return config;
    }

    /** A data section for an embedded server in {@code dir} on a free port (for tests that start their own). */
    public static DataConfig embeddedConfig(Path dir) {
        return ConfigLoader.defaults().section("data", DataConfig.class).withEmbedded(dir, freePort());
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private record Shared(DataConfig config, RunningPostgres server) implements AutoCloseable {

        static Shared start() {
            DataConfig config = embeddedConfig(Path.of("target", "pg", "shared"));
            return new Shared(config, EmbeddedPostgres.start(config, true));
        }

        void createDatabase(String name) {
            try (Connection c = DriverManager.getConnection(server.jdbcUrl(), config.user(), config.password());
                 Statement s = c.createStatement()) {
                s.execute("CREATE DATABASE " + name);
            } catch (SQLException e) {
                throw new IllegalStateException("cannot create test database " + name, e);
            }
        }

        @Override
        public void close() {
            server.close();
        }
    }
}
