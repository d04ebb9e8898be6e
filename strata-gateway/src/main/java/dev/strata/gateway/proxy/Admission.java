package dev.strata.gateway.proxy;

import dev.strata.gateway.config.RoutingConfig;
import dev.strata.gateway.route.Router;

/**
 * Admission: a request head and a configuration generation give the route that serves the request, or
 * the refusal it gets. A pure function of the two, checked in the order a client would want its first
 * problem named: a head the decoder refused, Host (one, and {@code host[:port]}), the request target,
 * its path (normalized or refused, see {@link RequestSyntax}), Expect, the route, the declared body size.
 * Its one effect is to give the request its normalized target.
 */
final class Admission {

    /** What admission decided: a {@link RoutePlan} (shared, allocated with the snapshot) or a {@link Refusal}. */
    sealed interface Decision permits RoutePlan, Refusal {}

    /**
     * A refusal: the status and detail of the problem response, and whether the connection must close
     * after it (the framing of what follows cannot be trusted, or a body would have to be read first).
     */
    record Refusal(int status, String detail, boolean close) implements Decision {}

    private Admission() {}

    static Decision admit(RequestHead request, Snapshot snapshot) {
        return admit(request, snapshot, null);
    }

    /** As {@link #admit(RequestHead, Snapshot)}, for a request that came in on {@code listener} (by name). */
    static Decision admit(RequestHead request, Snapshot snapshot, String listener) {
        if (request.failureStatus != 0) {
            return switch (request.failureStatus) {
                case 414 -> new Refusal(414, "the request line is longer than "
                        + snapshot.config().limits().maxRequestLine(), true);
                case 431 -> new Refusal(431, "the header section is larger than "
                        + snapshot.config().limits().maxHeaderSize(), true);
                case 408, 501, 505 -> new Refusal(request.failureStatus, request.failure, true);
                default -> new Refusal(400, "malformed request: " + request.failure, true);
            };
        }
        boolean hasBody = request.hasBody();
        int hosts = request.count(FieldKind.HOST);
        if (hosts > 1 || (request.http11 && hosts == 0)) {
            return new Refusal(400, "a request needs exactly one Host header", true);
        }
        if (hosts == 1) {
            int f = request.first(FieldKind.HOST);
            if (!RequestSyntax.validHost(request.bytes, request.valueStart(f), request.valueEnd(f))) {
                return new Refusal(400, "invalid Host header (expected: host[:port])", true);
            }
        }
        String target = request.target;
        String host = null; // made only when routing needs it
        if (request.absoluteForm()) {
            host = request.host();
            if (!RequestSyntax.validHost(host)) {
                return new Refusal(400, "invalid absolute request target", true);
            }
        } else if (!target.startsWith("/") && !(target.equals("*") && request.method.equals("OPTIONS"))) {
            return new Refusal(400, "invalid request target", true);
        }
        RoutingConfig routing = snapshot.config().routing();
        String routed = request.absoluteForm() ? request.originTarget() : target;
        if (routing.checksPaths() && routed.startsWith("/")) {
            String normal = RequestSyntax.normalize(routed, routing.dotsAndEscapes(), routing.mergeSlashes());
            if (normal != routed) {
                if (routing.refuses()) {
                    return new Refusal(400, "the request path is not in normal form (dot segments, escaped "
                            + "unreserved characters" + (routing.mergeSlashes() ? " or repeated slashes)" : ")"), true);
                }
                request.normalTarget(normal);
                routed = normal;
            }
        }
        int expectField = request.first(FieldKind.EXPECT);
        if (expectField >= 0 && !request.value(expectField).equalsIgnoreCase("100-continue")) {
            return new Refusal(417, "only the expectation 100-continue is supported", hasBody);
        }
        Router<RoutePlan> router = snapshot.router(listener);
        if (host == null && router.byHost()) {
            host = request.host();
        }
        RoutePlan plan = router.match(host, routed);
        if (plan == null) {
            return new Refusal(404, "no route for this host and path", hasBody);
        }
        if (!request.chunked() && request.contentLength > plan.maxBody()) {
            return new Refusal(413, "the request body is larger than " + plan.maxBody() + " bytes", true);
        }
        return plan;
    }
}
