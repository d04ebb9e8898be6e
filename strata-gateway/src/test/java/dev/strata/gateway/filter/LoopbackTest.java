package dev.strata.gateway.filter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.gateway.filter.builtin.BuiltInFilters;
import dev.strata.gateway.testing.OriginAndGateway;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@link FilterBuild#loopback}: a filter's background request goes through the gateway's own request path. */
class LoopbackTest {

    private static final AtomicReference<Loopback> real = new AtomicReference<>();
    private static final AtomicReference<Loopback> warm = new AtomicReference<>();

    @RegisterExtension
    static final OriginAndGateway env = new OriginAndGateway("o1", """
              warmup: {enabled: true, max_time: 1s}
              routes: [{name: web, path_prefix: /, filters: [{looping: {}}, {headers: {request: {set: {X-Route: web}}}}]}]
            """, BuiltInFilters.types().with(TestFilters.type("looping", WarmupMode.THROWAWAY_STATE, build -> {
                (build.warmup() ? warm : real).set(build.loopback());
                return context -> Verdict.CONTINUE;
            })));

    @Test
    void aLoopbackRequestTakesTheRouteLikeAClientsAndCompletesWithTheStatus() throws Exception {
        int status = real.get().get("loop.test", "/status/203?x=1", List.of("X-Asked", "yes"))
                .toCompletableFuture().get(30, TimeUnit.SECONDS);
        assertThat(status).isEqualTo(203);
        assertThat(env.origin().seen()).singleElement().satisfies(s -> {
            assertThat(s.uri()).isEqualTo("/status/203?x=1");
            assertThat(s.header("X-Asked")).isEqualTo("yes");
            assertThat(s.header("X-Route")).as("the route's filters ran").isEqualTo("web");
            assertThat(s.header("Host")).isEqualTo("loop.test");
        });
    }

    @Test
    void theWarmUpsLoopbackSendsNothingAndBadInputIsRefused() throws Exception {
        if (warm.get() != null) {
            assertThat(warm.get().get("h", "/x", List.of()).toCompletableFuture().get()).isZero();
        }
        assertThatThrownBy(() -> real.get().get("h", "no-slash", List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> real.get().get("h", "/x", List.of("Bad\r\nName", "v")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(env.origin().seen()).isEmpty();
    }
}
