package dev.strata.gateway.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.testing.Await;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.Servers;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The access log shows what the cache did with each request. */
class CacheAccessLogTest {

    @RegisterExtension
    final Servers servers = new Servers();

    @TempDir
    Path dir;

    @Test
    void eachLineCarriesTheCacheStatus() throws Exception {
        Origin origin = servers.origin("o");
        origin.script("/logged", seen -> Origin.Reply.of(200, "x", "Cache-Control", "max-age=60"));
        Path log = dir.resolve("access.log");
        Gateway g = servers.gateway(Configs.gateway("  access_log: {enabled: true, format: text, path: '" + log + "'}\n"
                + "  routes: [{name: c, path_prefix: /, filters: [{cache: {}}]}]\n", origin.address()));
        Http.get(g.listenerAddress("main"), "/logged");
        Http.get(g.listenerAddress("main"), "/logged");
        Http.call(g.listenerAddress("main"), "POST", "/logged");
        Await.until(() -> lines(log) >= 3);
        String text = Files.readString(log);
        assertThat(text).contains("cache=miss").contains("cache=hit").contains("cache=bypass");
    }

    private static long lines(Path log) {
        try {
            return Files.exists(log) ? Files.readAllLines(log).size() : 0;
        } catch (java.io.IOException e) {
            return 0;
        }
    }
}
