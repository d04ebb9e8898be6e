package dev.strata.gateway.admin;

import dev.strata.common.http.Problem;
import java.nio.charset.StandardCharsets;

/**
 * An admin resource's answer. The listener adds the framing and {@code Cache-Control: no-store}.
 *
 * @param status      the status code
 * @param contentType its media type
 * @param body        its bytes
 */
public record AdminReply(int status, String contentType, byte[] body) {

    public static AdminReply json(int status, String json) {
        return new AdminReply(status, "application/json", json.getBytes(StandardCharsets.UTF_8));
    }

    public static AdminReply problem(int status, String detail) {
        return new AdminReply(status, Problem.MEDIA_TYPE, Problem.of(status, detail).toBytes());
    }
}
