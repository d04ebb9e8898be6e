package dev.strata.redis.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.redis.internal.Ping;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisExtensionTest {

    @RegisterExtension
    static final RedisExtension REDIS = new RedisExtension();

    @Test
    void aKilledServerStopsAnsweringAndAStartedOneAnswersOnTheSamePort() {
        assertThat(Ping.pong("127.0.0.1", REDIS.port(), 1000)).isTrue();
        long pid = REDIS.server().pid();
        REDIS.kill();
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(Ping.pong("127.0.0.1", REDIS.port(), 1000)).isFalse();
        REDIS.start();
        assertThat(REDIS.server().pid()).isNotEqualTo(pid);
        assertThat(Ping.pong("127.0.0.1", REDIS.port(), 1000)).isTrue();
    }
}
