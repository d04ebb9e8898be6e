package dev.strata.links.api;

import dev.strata.common.http.Problem;
import java.util.Map;

/** Ends a request with a problem response; {@code headers} go with it (e.g. {@code Allow}). */
final class ProblemException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final transient Problem problem;
    private final transient Map<String, String> headers;

    ProblemException(int status, String detail) {
        this(status, detail, Map.of());
    }

    ProblemException(int status, String detail, Map<String, String> headers) {
        super(detail, null, false, false);
        this.problem = Problem.of(status, detail);
        this.headers = headers;
    }

    Problem problem() {
        return problem;
    }

    Map<String, String> headers() {
        return headers;
    }
}
