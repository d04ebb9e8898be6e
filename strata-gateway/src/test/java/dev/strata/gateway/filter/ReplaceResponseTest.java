package dev.strata.gateway.filter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.filter.builtin.BuiltInFilters;
import dev.strata.gateway.testing.OriginAndGateway;
import dev.strata.gateway.testing.RawClient;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link ResponseEdits#replaceWith}: an observer answers the client with a response of its own in place
 * of the upstream's head it sees (a cache serving its stored copy for an upstream 304).
 */
class ReplaceResponseTest {

    /** The heads the observers saw, as {@code status/local}. */
    private static final List<String> heads = new CopyOnWriteArrayList<>();

    private static final ResponseObserver REPLACING_404 = new ResponseObserver() {
        @Override
        public void onResponseHead(ResponseView response, ResponseEdits edits) {
            heads.add(response.status() + "/" + response.local());
            if (!response.local() && response.status() == 404) {
                edits.headers().set("X-Edited", "yes");
                edits.replaceWith(LocalResponse.text(200, "replaced"));
            }
        }
    };

    @RegisterExtension
    static final OriginAndGateway env = new OriginAndGateway("o1", """
              routes: [{name: web, path_prefix: /, filters: [{replacing: {}}]}]
            """, BuiltInFilters.types().with(TestFilters.type("replacing", context -> {
                context.observe(REPLACING_404);
                return Verdict.CONTINUE;
            })));

    @BeforeEach
    void clear() {
        heads.clear();
    }

    @Test
    void theClientGetsTheReplacementWithTheEditsAndTheConnectionServesOn() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("GET /status/404 HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.text()).isEqualTo("replaced");
            assertThat(r.header("X-Edited")).isEqualTo("yes");
            assertThat(heads).containsExactly("404/false", "200/true");
            RawClient.Response next = c.send("GET /other HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertThat(next.status()).isEqualTo(200);
            assertThat(next.text()).startsWith("o1 GET /other");
        }
        assertThat(env.origin().seen()).hasSize(2);
    }

    @Test
    void aResponseNotReplacedPassesAsItCame() throws Exception {
        try (RawClient c = new RawClient(env.address())) {
            RawClient.Response r = c.send("GET /status/410 HTTP/1.1\r\nHost: t\r\n\r\n").read();
            assertThat(r.status()).isEqualTo(410);
            assertThat(heads).containsExactly("410/false");
        }
    }
}
