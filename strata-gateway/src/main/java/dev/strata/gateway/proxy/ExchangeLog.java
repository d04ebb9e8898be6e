package dev.strata.gateway.proxy;

import dev.strata.gateway.filter.ExchangeOutcome;
import dev.strata.gateway.log.AccessLog;

/**
 * What an ended request leaves behind, in this order: its outcome to the filters' observers, its meters,
 * its access-log line (with the fields filters added). One place for every request, proxied or local.
 */
final class ExchangeLog {

    private static final byte[] REFERER = Wire.ascii("referer");
    private static final byte[] USER_AGENT = Wire.ascii("user-agent");

    private ExchangeLog() {}

    /**
     * Records the ended request of {@code x}.
     *
     * @param plan     its route, or {@code null} when none took it
     * @param attempt  its upstream attempt, or {@code null} when it went nowhere
     * @param filters  its filter run, or {@code null} when its route has none
     * @param complete whether the client got the whole response
     */
    static void record(Exchange x, RoutePlan plan, UpstreamAttempt attempt, FilterRun filters, int status,
                       boolean local, boolean complete, long startMillis, long durationNanos) {
        String endpoint = attempt == null ? null : attempt.endpointId();
        long bytes = x.response.bytes();
        if (filters != null) {
            filters.complete(filters.observed() ? new Outcome(status, bytes, durationNanos, complete, local, endpoint) : null);
        }
        String routeName = plan == null ? "-" : plan.route().name();
        x.server.metrics().requestFinished(routeName, status, durationNanos);
        AccessLog accessLog = x.server.accessLog();
        if (accessLog != null) {
            RequestHead request = x.request;
            accessLog.log(new AccessLog.Entry(x.client.peerAddress() == null ? "-" : x.client.peerIp(), startMillis,
                    request.method, request.target, request.version(), status, bytes,
                    request.header(REFERER), request.header(USER_AGENT), plan == null ? null : routeName,
                    endpoint, durationNanos, attempt == null ? 0 : attempt.attempts(),
                    filters == null ? null : filters.logFields()));
        }
    }

    /** How the request ended, for the observers. */
    private record Outcome(int status, long bytesSent, long durationNanos, boolean complete, boolean local,
                           String endpoint) implements ExchangeOutcome {}
}
