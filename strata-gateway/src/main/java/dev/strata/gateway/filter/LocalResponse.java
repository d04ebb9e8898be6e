package dev.strata.gateway.filter;

import dev.strata.common.http.Problem;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A response the gateway gives itself, without the upstream: an error, a redirect, a filter's answer,
 * later a stored copy. The proxy writes it in one place, which adds {@code Date}, {@code X-Served-By},
 * the framing and {@code Connection}, logs it and counts it; the head fields here are the rest.
 *
 * @param status  the status code (200..599)
 * @param fields  name/value pairs, in order
 * @param body    the body's bytes (empty: none); ignored when {@code stream} is given
 * @param stream  a body produced piece by piece, or {@code null}
 */
public record LocalResponse(int status, List<String> fields, byte[] body, BodyStream stream) {

    public LocalResponse {
        if (status < 200 || status > 599) {
            throw new IllegalArgumentException("status: " + status + " (expected: 200..599)");
        }
        fields = List.copyOf(fields);
        if (fields.size() % 2 != 0) {
            throw new IllegalArgumentException("fields: " + fields.size() + " strings (expected: name/value pairs)");
        }
        HeaderEdits check = new HeaderEdits();
        for (int i = 0; i < fields.size(); i += 2) {
            check.add(fields.get(i), fields.get(i + 1));
        }
        body = body == null ? new byte[0] : body;
    }

    /** A response with these fields and body bytes. */
    public static LocalResponse of(int status, List<String> fields, byte[] body) {
        return new LocalResponse(status, fields, body, null);
    }

    /**
     * An RFC 9457 problem response: {@code application/problem+json}, {@code Cache-Control: no-store},
     * {@code Retry-After} when {@code retryAfterSeconds} is not {@code null}.
     */
    public static LocalResponse problem(int status, String detail, String instance, Integer retryAfterSeconds) {
        byte[] body = Problem.of(status, detail).withInstance(instance).toBytes();
        List<String> fields = new ArrayList<>(6);
        fields.add("Content-Type");
        fields.add(Problem.MEDIA_TYPE);
        fields.add("Cache-Control");
        fields.add("no-store");
        if (retryAfterSeconds != null) {
            fields.add("Retry-After");
            fields.add(Integer.toString(retryAfterSeconds));
        }
        return new LocalResponse(status, fields, body, null);
    }

    /** A plain text response. */
    public static LocalResponse text(int status, String text) {
        return new LocalResponse(status, List.of("Content-Type", "text/plain; charset=utf-8"),
                text.getBytes(StandardCharsets.UTF_8), null);
    }

    /** The first value of {@code name} (any case) among the fields, or {@code null}. */
    public String header(String name) {
        Objects.requireNonNull(name, "name");
        for (int i = 0; i < fields.size(); i += 2) {
            if (fields.get(i).equalsIgnoreCase(name)) {
                return fields.get(i + 1);
            }
        }
        return null;
    }
}
