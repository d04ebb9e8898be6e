package dev.strata.gateway.testing;

import io.netty.buffer.ByteBuf;
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
}
