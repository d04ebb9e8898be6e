package dev.strata.links.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.util.Iterator;
import java.util.Locale;
import java.util.Set;

/** Reads a JSON object body: media type checked, size bounded while reading, fields checked. */
final class JsonBodies {

    static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** What is read and thrown away of a body over the limit, so that its client can read the 413. */
    private static final long DISCARD_AT_MOST = 2 * 1024 * 1024;

    private final int maxBytes;

    JsonBodies(int maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The body as a JSON object whose field names are all in {@code allowed}. */
    ObjectNode readObject(Context ctx, Set<String> allowed) {
        checkMediaType(ctx.req().getContentType());
        byte[] body = readBounded(ctx);
        JsonNode tree;
        try {
            tree = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw new ProblemException(400, "malformed JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ProblemException(400, "malformed JSON");
        }
        if (!(tree instanceof ObjectNode object)) {
            throw new ProblemException(400, "expected a JSON object");
        }
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw new ProblemException(400, "unknown field '%s' (expected: %s)"
                        .formatted(LinkRules.abbreviate(name), String.join(", ", allowed.stream().sorted().toList())));
            }
        }
        return object;
    }

    /** A required string field. */
    static String requiredString(ObjectNode object, String name) {
        JsonNode value = object.get(name);
        if (value == null || value.isNull()) {
            throw new ProblemException(400, name + ": missing (expected: a string)");
        }
        if (!value.isTextual()) {
            throw new ProblemException(400, "%s: %s (expected: a string)".formatted(name, value.getNodeType().name().toLowerCase(Locale.ROOT)));
        }
        return value.textValue();
    }

    /** An optional string field; null when absent or null. */
    static String optionalString(ObjectNode object, String name) {
        JsonNode value = object.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        return requiredString(object, name);
    }

    private static void checkMediaType(String contentType) {
        if (contentType == null) {
            throw new ProblemException(415, "Content-Type missing (expected: application/json)");
        }
        String[] parts = contentType.split(";");
        String type = parts[0].strip().toLowerCase(Locale.ROOT);
        if (!type.equals("application/json")) {
            throw new ProblemException(415, "Content-Type: %s (expected: application/json)".formatted(LinkRules.abbreviate(contentType)));
        }
        for (int i = 1; i < parts.length; i++) {
            String[] param = parts[i].strip().split("=", 2);
            if (param[0].equalsIgnoreCase("charset") && param.length == 2
                    && !param[1].replace("\"", "").strip().equalsIgnoreCase("utf-8")) {
                throw new ProblemException(415, "charset: %s (expected: utf-8)".formatted(LinkRules.abbreviate(param[1])));
            }
        }
    }

    /**
     * The body, at most {@code maxBytes} of it. A body over the limit is refused with 413 after reading
     * and discarding up to {@value #DISCARD_AT_MOST} bytes of what is left of it: a client still sending
     * could otherwise meet a reset on a connection closed with its data unread, and lose the 413 it was
     * sent. A longer body is not read on: the connection closes under it. A declared body that waits for
     * {@code 100 Continue} is refused at once.
     */
    private byte[] readBounded(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBytes) {
            if (!"100-continue".equalsIgnoreCase(ctx.header("Expect"))) {
                discardRest(ctx); // a client waiting for "100 Continue" has sent nothing and never will
            }
            throw new ProblemException(413, "body: %d bytes (expected: at most %d)".formatted(declared, maxBytes));
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] body = in.readNBytes(maxBytes + 1);
            if (body.length > maxBytes) {
                discard(in);
                throw new ProblemException(413, "body: more than %d bytes (expected: at most %d)".formatted(maxBytes, maxBytes));
            }
            return body;
        } catch (IOException e) {
            throw new ProblemException(400, "the body could not be read");
        }
    }

    private static void discardRest(Context ctx) {
        try (InputStream in = ctx.req().getInputStream()) {
            discard(in);
        } catch (IOException e) {
            // as in discard: the 413 goes out all the same
        }
    }

    private static void discard(InputStream in) {
        try {
            byte[] sink = new byte[8192];
            long left = DISCARD_AT_MOST;
            for (int n; left > 0 && (n = in.read(sink, 0, (int) Math.min(sink.length, left))) >= 0; ) {
                left -= n;
            }
        } catch (IOException e) {
            // the client went away or the read timed out: the 413 goes out all the same
        }
    }
}
