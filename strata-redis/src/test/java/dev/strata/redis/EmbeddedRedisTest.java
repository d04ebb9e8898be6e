package dev.strata.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.redis.testing.RedisExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EmbeddedRedisTest {

    private static RedisConfig config(String name) {
        return RedisExtension.embeddedConfig(Path.of("target", "redis", name + "-" + UUID.randomUUID()).toAbsolutePath());
    }

    @Test
    void answersPingOnTheConfiguredLoopbackPortAndStopsOnClose() throws Exception {
        RedisConfig config = config("ping");
        long pid;
        try (RunningRedis redis = EmbeddedRedis.start(config)) {
            pid = redis.pid();
            assertThat(Resp.call(config.port(), "PING")).isEqualTo("+PONG");
            assertThat(Resp.call(config.port(), "CONFIG", "GET", "bind")).isEqualTo("bind 127.0.0.1");
            assertThat(redis.uri()).isEqualTo("redis://127.0.0.1:" + config.port());
            String conf = Files.readString(redis.dataDirectory().resolve("redis.conf"));
            assertThat(conf).contains("bind 127.0.0.1\n", "port " + config.port() + "\n", "protected-mode no\n",
                    "save \"\"\n", "appendonly no\n");
            assertThat(ProcessHandle.of(pid).flatMap(h -> h.info().command()).orElseThrow()).endsWith("/redis-server");
        }
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void withRdbPersistenceAKeySurvivesARestartAndWithoutItDoesNot() throws Exception {
        RedisConfig rdb = config("rdb").withPersistence("rdb");
        try (RunningRedis redis = EmbeddedRedis.start(rdb)) {
            assertThat(Resp.call(rdb.port(), "SET", "kept", "yes")).isEqualTo("+OK");
        }
        try (RunningRedis redis = EmbeddedRedis.start(rdb)) {
            assertThat(Resp.call(rdb.port(), "GET", "kept")).isEqualTo("yes");
        }
        RedisConfig none = config("none");
        try (RunningRedis redis = EmbeddedRedis.start(none)) {
            Resp.call(none.port(), "SET", "kept", "yes");
        }
        try (RunningRedis redis = EmbeddedRedis.start(none)) {
            assertThat(Resp.call(none.port(), "GET", "kept")).isEqualTo("$-1");
        }
    }

    @Test
    void withAofPersistenceWritesAreAppendedAndSurvive() throws Exception {
        RedisConfig aof = config("aof").withPersistence("aof");
        try (RunningRedis redis = EmbeddedRedis.start(aof)) {
            Resp.call(aof.port(), "SET", "kept", "aof");
            assertThat(Resp.call(aof.port(), "CONFIG", "GET", "appendonly")).isEqualTo("appendonly yes");
        }
        try (RunningRedis redis = EmbeddedRedis.start(aof)) {
            assertThat(Resp.call(aof.port(), "GET", "kept")).isEqualTo("aof");
        }
    }

    @Test
    void aDamagedBinaryIsRefusedWithItsPath() throws Exception {
        RedisConfig config = config("damaged");
        try (RunningRedis redis = EmbeddedRedis.start(config)) {
            // unpacks the binary
        }
        Path binary = Path.of(config.dir()).resolveSibling("redis-bin-7.0.15").resolve("redis-server");
        Files.write(binary, new byte[] {0}, StandardOpenOption.APPEND);
        try {
            assertThatThrownBy(() -> EmbeddedRedis.start(config))
                    .hasMessageContaining(binary.toString()).hasMessageContaining("expected: 6103320");
        } finally {
            Files.delete(binary);
        }
        try (RunningRedis redis = EmbeddedRedis.start(config)) {
            assertThat(Files.isExecutable(binary)).isTrue();
        }
    }

    @Test
    void aPortInUseFailsTheStartWithTheServersOwnWords() throws Exception {
        RedisConfig config = config("busy");
        try (RunningRedis first = EmbeddedRedis.start(config)) {
            RedisConfig second = config("busy2").withServer(Path.of(config("busy2").dir()), config.port());
            assertThatThrownBy(() -> EmbeddedRedis.start(second))
                    .hasMessageContaining("exited").hasMessageContaining("Address in use");
            assertThat(Resp.call(config.port(), "PING")).isEqualTo("+PONG");
        }
    }

    @Test
    void aLeftoverServerOfTheSameDirIsStoppedFirst() throws Exception {
        RedisConfig config = config("leftover");
        RunningRedis first = EmbeddedRedis.start(config);
        long firstPid = first.pid();
        try (RunningRedis second = EmbeddedRedis.start(config)) {
            assertThat(ProcessHandle.of(firstPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
            assertThat(second.pid()).isNotEqualTo(firstPid);
            assertThat(Resp.call(config.port(), "PING")).isEqualTo("+PONG");
        } finally {
            first.close();
        }
    }

    @Test
    void configurationRefusesWhatTheServerWouldMisread() {
        RedisConfig ok = config("cfg");
        assertThatThrownBy(() -> new RedisConfig("0.0.0.0", 1, "d", "none", ok.startTimeout(), ok.stopTimeout()))
                .hasMessageContaining("loopback");
        assertThatThrownBy(() -> new RedisConfig("127.0.0.1", 1, "d\"x", "none", ok.startTimeout(), ok.stopTimeout()))
                .hasMessageContaining("dir");
        assertThatThrownBy(() -> new RedisConfig("127.0.0.1", 1, "d", "always", ok.startTimeout(), ok.stopTimeout()))
                .hasMessageContaining("expected: none, rdb or aof");
    }
}
