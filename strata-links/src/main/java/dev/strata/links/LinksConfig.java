package dev.strata.links;

import dev.strata.common.config.ByteSize;
import java.time.Duration;

/**
 * Section {@code links} of the configuration. Built-in defaults: {@code strata/defaults/links.yaml}.
 *
 * @param host address to listen on
 * @param port port to listen on; 0 picks a free one
 * @param nodeName sent in {@code X-Served-By} on every response
 * @param secret key of the manage tokens, shared by every node; empty means {@code STRATA_SECRET},
 *     then a random one
 * @param publicUrl base of {@code short_url}; empty means {@code http://<host>:<port>}
 * @param maxBody largest request body
 * @param maxHeaderSize largest request line plus headers
 * @param shutdownGrace how long a graceful stop waits for requests in flight
 * @param clickFlushInterval how often counted clicks are written to the database
 * @param cacheMaxAge {@code max-age} of redirects
 * @param readyTimeout how long {@code /readyz} waits for the database
 */
public record LinksConfig(String host, int port, String nodeName, String secret, String publicUrl,
                          ByteSize maxBody, ByteSize maxHeaderSize, Duration shutdownGrace,
                          Duration clickFlushInterval, Duration cacheMaxAge, Duration readyTimeout) {

    public LinksConfig {
        requireText(host, "host");
        requireText(nodeName, "nodeName");
        if (secret == null) {
            throw new IllegalArgumentException("secret: null (expected: a string, may be empty)");
        }
        if (publicUrl == null) {
            throw new IllegalArgumentException("publicUrl: null (expected: a URL, may be empty)");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port: %s (expected: 0..65535)".formatted(port));
        }
        if (!nodeName.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("nodeName: '%s' (expected: [A-Za-z0-9._-]{1,64})".formatted(nodeName));
        }
        if (maxBody == null || maxBody.bytes() < 1024 || maxBody.bytes() > Integer.MAX_VALUE - 1) {
            throw new IllegalArgumentException("maxBody: %s (expected: 1KiB..2GiB)".formatted(maxBody));
        }
        if (maxHeaderSize == null || maxHeaderSize.bytes() < 1024 || maxHeaderSize.bytes() > 1024 * 1024) {
            throw new IllegalArgumentException("maxHeaderSize: %s (expected: 1KiB..1MiB)".formatted(maxHeaderSize));
        }
        requirePositive(shutdownGrace, "shutdownGrace");
        requirePositive(clickFlushInterval, "clickFlushInterval");
        requirePositive(readyTimeout, "readyTimeout");
        if (cacheMaxAge == null || cacheMaxAge.isNegative()) {
            throw new IllegalArgumentException("cacheMaxAge: %s (expected: >= 0)".formatted(cacheMaxAge));
        }
    }

    /** Like the generated form, with the secret masked. */
    @Override
    public String toString() {
        return ("LinksConfig[host=%s, port=%s, nodeName=%s, secret=%s, publicUrl=%s, maxBody=%s, maxHeaderSize=%s, "
                + "shutdownGrace=%s, clickFlushInterval=%s, cacheMaxAge=%s, readyTimeout=%s]")
                .formatted(host, port, nodeName, secret.isEmpty() ? "" : "****", publicUrl, maxBody, maxHeaderSize,
                        shutdownGrace, clickFlushInterval, cacheMaxAge, readyTimeout);
    }

    /** A copy with another node name and port (how the CLI runs several nodes from one file). */
    public LinksConfig withNode(String name, int newPort) {
        return new LinksConfig(host, newPort, name, secret, publicUrl, maxBody, maxHeaderSize, shutdownGrace,
                clickFlushInterval, cacheMaxAge, readyTimeout);
    }

    /** A copy with another secret. */
    public LinksConfig withSecret(String newSecret) {
        return new LinksConfig(host, port, nodeName, newSecret, publicUrl, maxBody, maxHeaderSize, shutdownGrace,
                clickFlushInterval, cacheMaxAge, readyTimeout);
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("%s: '%s' (expected: not empty)".formatted(name, value));
        }
    }

    private static void requirePositive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException("%s: %s (expected: > 0)".formatted(name, value));
        }
    }
}
