package dev.strata.gateway.admin;

import java.nio.charset.StandardCharsets;

/**
 * One admin call as a resource sees it: already bounded in size and checked for method and authority.
 *
 * @param method      upper case
 * @param path        without the query
 * @param query       without {@code ?}, or {@code null}
 * @param contentType the request's {@code Content-Type}, or {@code null}
 * @param body        the whole body (empty when none)
 */
public record AdminRequest(String method, String path, String query, String contentType, byte[] body) {

    public AdminRequest {
        body = body == null ? new byte[0] : body;
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }
}
