package dev.strata.redis.internal;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RedisBinaryTest {

    @Test
    void otherPlatformsAreRefusedNamingTheSupportedOne() {
        assertThatThrownBy(() -> RedisBinary.requireSupportedPlatform("Mac OS X", "aarch64"))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("linux-amd64 only").hasMessageContaining("Mac OS X/aarch64");
        assertThatThrownBy(() -> RedisBinary.requireSupportedPlatform("Linux", "aarch64"))
                .hasMessageContaining("linux-amd64 only");
        assertThatCode(() -> RedisBinary.requireSupportedPlatform("Linux", "amd64")).doesNotThrowAnyException();
    }
}
