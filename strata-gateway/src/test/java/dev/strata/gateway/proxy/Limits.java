package dev.strata.gateway.proxy;

import dev.strata.common.config.ByteSize;
import dev.strata.gateway.config.LimitsConfig;

/** Head limits for decoder tests. */
final class Limits {

    private Limits() {}

    static LimitsConfig of(String maxRequestLine, String maxHeaderSize) {
        return new LimitsConfig(ByteSize.parse(maxRequestLine), ByteSize.parse(maxHeaderSize), ByteSize.parse("1MiB"), 100,
                new ByteSize(1024), new ByteSize(0), new ByteSize(0), new ByteSize(0), java.time.Duration.ofSeconds(5), 0, 0, 0);
    }
}
