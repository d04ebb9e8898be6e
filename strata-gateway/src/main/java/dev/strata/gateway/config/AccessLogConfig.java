package dev.strata.gateway.config;

/** The access log: one line per request, written by a background thread. */
public record AccessLogConfig(boolean enabled, String format, String path, int queueSize) {

    public AccessLogConfig {
        if (!"text".equals(format) && !"json".equals(format)) {
            throw new IllegalArgumentException("access_log.format: " + format + " (expected: text or json)");
        }
        path = path == null ? "" : path;
        if (queueSize <= 0) {
            throw new IllegalArgumentException("access_log.queue_size: " + queueSize + " (expected: > 0)");
        }
    }
}
