package dev.strata.gateway.config;

import dev.strata.common.config.ByteSize;

/** Request size and connection limits. */
public record LimitsConfig(ByteSize maxRequestLine, ByteSize maxHeaderSize, ByteSize maxBody, int maxConnections) {

    public LimitsConfig {
        if (maxRequestLine.bytes() < 64 || maxRequestLine.bytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("limits.max_request_line: " + maxRequestLine + " (expected: >= 64)");
        }
        if (maxHeaderSize.bytes() < 256 || maxHeaderSize.bytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("limits.max_header_size: " + maxHeaderSize + " (expected: >= 256)");
        }
        if (maxConnections <= 0) {
            throw new IllegalArgumentException("limits.max_connections: " + maxConnections + " (expected: > 0)");
        }
    }
}
