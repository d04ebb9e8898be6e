package dev.strata.gateway.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The purge fences on their own: per tag, the latest write's position; at the bound, one floor for all. */
class FencesTest {

    private static Fences fences(int max) {
        Fences f = new Fences();
        f.configure(new CacheSettings.Positions("Strata-Data-Position", List.of(), Duration.ofMinutes(1), max));
        return f;
    }

    @Test
    void aFenceKeepsOutReadsBeforeItsWriteAndOnlyForItsTags() {
        Fences f = fences(100);
        f.raise(List.of("link-a"), 0x200);
        f.raise(List.of("link-a"), 0x100); // an older purge arriving late lowers nothing
        assertThat(f.admits(List.of("link-a"), 0x1ff)).isFalse();
        assertThat(f.admits(List.of("other", "link-a"), 0x150)).isFalse();
        assertThat(f.admits(List.of("link-a"), Positions.NONE)).as("no position is older").isFalse();
        assertThat(f.admits(List.of("link-a"), 0x200)).isTrue();
        assertThat(f.admits(List.of("link-b"), 0x10)).isTrue();
        assertThat(f.admits(List.of(), 0x10)).as("untagged: no purge by tag reaches it").isTrue();
    }

    @Test
    void fencesPushedOutByTheBoundBecomeAFloorForEveryTag() {
        Fences f = fences(2);
        f.raise(List.of("t1"), 0x100);
        f.raise(List.of("t2"), 0x200);
        f.raise(List.of("t3"), 0x300);
        assertThat(f.size()).isLessThanOrEqualTo(2);
        for (String t : List.of("t1", "t2", "t3")) {
            long fence = Long.parseLong(t.substring(1)) * 0x100;
            assertThat(f.admits(List.of(t), fence - 1)).as(t + " is still fenced, by its own or by the floor").isFalse();
        }
        assertThat(f.admits(List.of("never-purged"), 0xff)).as("older than the floor").isFalse();
        assertThat(f.admits(List.of("never-purged"), 0x300)).isTrue();
    }

    @Test
    void offUntilConfiguredAndOffAgainWithoutPositions() {
        Fences f = new Fences();
        f.raise(List.of("t"), 0x100);
        assertThat(f.admits(List.of("t"), 1)).isTrue();
        f = fences(10);
        f.raise(List.of("t"), 0x100);
        f.configure(new CacheSettings.Positions("Strata-Data-Position", List.of(), Duration.ofMinutes(2), 10));
        assertThat(f.admits(List.of("t"), 1)).as("kept across a change of window").isFalse();
        f.configure(null);
        assertThat(f.enabled()).isFalse();
        assertThat(f.admits(List.of("t"), 1)).isTrue();
    }

    @Test
    void settingsThatMakeNoSenseAreRefusedNamingTheKey() {
        java.util.function.Function<Runnable, String> refusal = r -> {
            try {
                r.run();
                return null;
            } catch (IllegalArgumentException e) {
                return e.getMessage();
            }
        };
        assertThat(refusal.apply(() -> new CacheSettings.Positions("bad header", null, null, null)))
                .startsWith("positions.header: bad header");
        assertThat(refusal.apply(() -> new CacheSettings.Positions("P", List.of("query:t"), null, null)))
                .startsWith("positions.token: query:t (expected: header:NAME or cookie:NAME)");
        assertThat(refusal.apply(() -> new CacheSettings.Positions("P", List.of("cookie:a b"), null, null)))
                .startsWith("positions.token: cookie:a b");
        assertThat(refusal.apply(() -> new CacheSettings.Positions("P", null, Duration.ZERO, null)))
                .startsWith("positions.fence_window");
        assertThat(refusal.apply(() -> new CacheSettings.Positions("P", null, null, 0)))
                .startsWith("positions.max_fences");
        assertThat(new CacheSettings.Positions("P", null, null, null).fenceWindow()).isEqualTo(Duration.ofSeconds(60));
    }
}
