package dev.strata.gateway.proxy;

import dev.strata.gateway.config.LimitsConfig;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import java.util.function.Supplier;

/**
 * The gateway's HTTP/1.1 decoders and the messages they emit, for a peer that speaks to the gateway over
 * its own codec inside the process (the warm-up's clients and origin). Internal; may change.
 */
public final class Http1Messages {

    /** What a decoded message is. */
    public enum Kind { REQUEST_HEAD, RESPONSE_HEAD, CONTENT, END, FAILURE, OTHER }

    private Http1Messages() {}

    /** A request decoder (heads, body pieces, ends) under the live {@code limits}. */
    public static ChannelHandler requestDecoder(Supplier<LimitsConfig> limits) {
        return new RequestDecoder(limits, null);
    }

    public static Kind kind(Object message) {
        if (message instanceof RequestHead) {
            return Kind.REQUEST_HEAD;
        }
        if (message instanceof ResponseHead) {
            return Kind.RESPONSE_HEAD;
        }
        if (message instanceof ByteBuf) {
            return Kind.CONTENT;
        }
        if (message instanceof BodyEnd) {
            return Kind.END;
        }
        return message instanceof DecodeFailure ? Kind.FAILURE : Kind.OTHER;
    }

    /** RFC 9110's reason phrase of {@code status} ({@code Content Too Large}, {@code URI Too Long}). */
    public static String reason(int status) {
        return LocalResponses.reason(status);
    }

    /** The status of a response head. */
    public static int status(Object responseHead) {
        return ((ResponseHead) responseHead).status;
    }

    /** Whether a request head is a refusal (the decoder found it malformed). */
    public static boolean refused(Object requestHead) {
        return ((RequestHead) requestHead).failureStatus != 0;
    }

    /** The method of a request head. */
    public static String method(Object requestHead) {
        return ((RequestHead) requestHead).method;
    }
}
