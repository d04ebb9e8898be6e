package dev.strata.gateway.testing;

import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;

/** Buffers that a test has taken from a channel. */
public final class Buffers {

    private Buffers() {}

    /** The bytes of {@code b} as ISO-8859-1 text (HTTP's own); {@code b} is released. */
    public static String text(ByteBuf b) {
        try {
            return b.toString(StandardCharsets.ISO_8859_1);
        } finally {
            b.release();
        }
    }

    /** Everything written out of {@code ch} so far, as text; the buffers are released. */
    public static String outbound(EmbeddedChannel ch) {
        StringBuilder out = new StringBuilder();
        for (ByteBuf b; (b = ch.readOutbound()) != null; ) {
            out.append(text(b));
        }
        return out.toString();
    }
}
