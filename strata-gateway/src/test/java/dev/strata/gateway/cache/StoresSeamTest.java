package dev.strata.gateway.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.filter.FilterTypes;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.Servers;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The entry for purges from elsewhere: the stores handed out by the type, applying a purge, and "we may have missed some". */
class StoresSeamTest {

    @RegisterExtension
    final Servers servers = new Servers();

    @Test
    void purgesFromElsewhereReachTheStores() throws Exception {
        Origin origin = servers.origin("o");
        origin.script("/a", seen -> Origin.Reply.of(200, "a", "Cache-Control", "max-age=60", "Cache-Tag", "t-a"));
        origin.script("/b", seen -> Origin.Reply.of(200, "b", "Cache-Control", "max-age=60"));
        AtomicReference<Stores> handed = new AtomicReference<>();
        Gateway g = servers.gateway(Configs.gateway("  routes: [{name: c, path_prefix: /, filters: [{cache: {}}]}]\n",
                origin.address()), FilterTypes.none().with(ResponseCache.filterType(handed::set)));
        var at = g.listenerAddress("main");
        Http.get(at, "/a");
        Http.get(at, "/b");
        assertThat(handed.get()).isNotNull();
        assertThat(handed.get().apply(new PurgeRequest(List.of(), List.of("t-a"), null, false))).isEqualTo(1);
        assertThat(Http.get(at, "/a").header("Cache-Status")).contains("fwd=uri-miss");
        assertThat(Http.get(at, "/b").header("Cache-Status")).contains("hit");
        assertThat(handed.get().mayHaveMissedPurges()).isEqualTo(2);
        assertThat(Http.get(at, "/b").header("Cache-Status")).as("stale now: fetched again").contains("fwd=stale");
    }
}
