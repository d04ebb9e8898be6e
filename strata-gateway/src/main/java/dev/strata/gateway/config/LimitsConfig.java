package dev.strata.gateway.config;

import dev.strata.common.config.ByteSize;
import dev.strata.common.config.Units;
import java.time.Duration;

/**
 * Request size and connection limits (a chunk's extensions at most {@code maxChunkExtensions}), and how request bodies are read: bodies up to {@code bufferBody}
 * are read whole before the request goes upstream (within {@code bufferedBodiesTotal} for the whole
 * gateway), and every body must average {@code minBodyRate} bytes a second once
 * {@code minBodyRateGrace} has passed. Per client address (the peer's; trusted proxies exempt) at most
 * {@code maxConnectionsPerAddress} open connections and {@code maxNewConnectionsPerAddress} new ones a
 * second, and at most {@code maxRequestsPerConnection} requests on one connection; 0 is no limit.
 */
public record LimitsConfig(ByteSize maxRequestLine, ByteSize maxHeaderSize, ByteSize maxBody, int maxConnections,
                           ByteSize maxChunkExtensions, ByteSize bufferBody, ByteSize bufferedBodiesTotal,
                           ByteSize minBodyRate, Duration minBodyRateGrace, int maxConnectionsPerAddress,
                           int maxNewConnectionsPerAddress, int maxRequestsPerConnection) {

    public LimitsConfig {
        if (maxChunkExtensions.bytes() < 1 || maxChunkExtensions.bytes() > 4000) {
            throw new IllegalArgumentException("limits.max_chunk_extensions: " + maxChunkExtensions
                    + " (expected: 1..4000 bytes)");
        }
        if (bufferBody.bytes() > Integer.MAX_VALUE / 2) {
            throw new IllegalArgumentException("limits.buffer_body: " + bufferBody + " (expected: <= 1GiB)");
        }
        if (minBodyRateGrace == null || minBodyRateGrace.isNegative()) {
            throw new IllegalArgumentException("limits.min_body_rate_grace: " + Units.show(minBodyRateGrace) + " (expected: >= 0s)");
        }
        if (maxRequestLine.bytes() < 64 || maxRequestLine.bytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("limits.max_request_line: " + maxRequestLine + " (expected: >= 64)");
        }
        if (maxHeaderSize.bytes() < 256 || maxHeaderSize.bytes() > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("limits.max_header_size: " + maxHeaderSize + " (expected: >= 256)");
        }
        if (maxConnectionsPerAddress < 0 || maxNewConnectionsPerAddress < 0 || maxRequestsPerConnection < 0) {
            throw new IllegalArgumentException("limits: max_connections_per_address, max_new_connections_per_address"
                    + " and max_requests_per_connection are >= 0 (0: no limit)");
        }
        if (maxConnections <= 0) {
            throw new IllegalArgumentException("limits.max_connections: " + maxConnections + " (expected: > 0)");
        }
    }
}
