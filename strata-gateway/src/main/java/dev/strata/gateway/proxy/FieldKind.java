package dev.strata.gateway.proxy;

/**
 * The header fields the proxy acts on, recognised once while a head is parsed (by length first, then
 * by an ASCII case-insensitive comparison), so that no later step compares names again.
 */
final class FieldKind {

    static final byte OTHER = 0;
    static final byte HOST = 1;
    static final byte CONTENT_LENGTH = 2;
    static final byte TRANSFER_ENCODING = 3;
    static final byte CONNECTION = 4;
    static final byte EXPECT = 5;
    static final byte KEEP_ALIVE = 6;
    static final byte PROXY_CONNECTION = 7;
    static final byte TE = 8;
    static final byte TRAILER = 9;
    static final byte UPGRADE = 10;
    static final byte X_FORWARDED_FOR = 11;
    static final byte X_FORWARDED_PROTO = 12;
    static final byte X_FORWARDED_HOST = 13;
    static final byte FORWARDED = 14;
    static final byte VIA = 15;

    private static final byte[] N_TE = Wire.ascii("te");
    private static final byte[] N_VIA = Wire.ascii("via");
    private static final byte[] N_HOST = Wire.ascii("host");
    private static final byte[] N_EXPECT = Wire.ascii("expect");
    private static final byte[] N_TRAILER = Wire.ascii("trailer");
    private static final byte[] N_UPGRADE = Wire.ascii("upgrade");
    private static final byte[] N_FORWARDED = Wire.ascii("forwarded");
    private static final byte[] N_CONNECTION = Wire.ascii("connection");
    private static final byte[] N_KEEP_ALIVE = Wire.ascii("keep-alive");
    private static final byte[] N_CONTENT_LENGTH = Wire.ascii("content-length");
    private static final byte[] N_X_FORWARDED_FOR = Wire.ascii("x-forwarded-for");
    private static final byte[] N_PROXY_CONNECTION = Wire.ascii("proxy-connection");
    private static final byte[] N_X_FORWARDED_HOST = Wire.ascii("x-forwarded-host");
    private static final byte[] N_TRANSFER_ENCODING = Wire.ascii("transfer-encoding");
    private static final byte[] N_X_FORWARDED_PROTO = Wire.ascii("x-forwarded-proto");

    private FieldKind() {}

    /** Whether a field of this kind is hop-by-hop (RFC 9110 §7.6.1) and never crosses the proxy. */
    static boolean hopByHop(byte kind) {
        return kind >= TRANSFER_ENCODING && kind != EXPECT && kind <= UPGRADE;
    }

    /** The kind of the field whose name is {@code b[start, end)}. */
    static byte of(byte[] b, int start, int end) {
        switch (end - start) {
            case 2: return is(b, start, N_TE) ? TE : OTHER;
            case 3: return is(b, start, N_VIA) ? VIA : OTHER;
            case 4: return is(b, start, N_HOST) ? HOST : OTHER;
            case 6: return is(b, start, N_EXPECT) ? EXPECT : OTHER;
            case 7:
                if (is(b, start, N_TRAILER)) return TRAILER;
                return is(b, start, N_UPGRADE) ? UPGRADE : OTHER;
            case 9: return is(b, start, N_FORWARDED) ? FORWARDED : OTHER;
            case 10:
                if (is(b, start, N_CONNECTION)) return CONNECTION;
                return is(b, start, N_KEEP_ALIVE) ? KEEP_ALIVE : OTHER;
            case 14: return is(b, start, N_CONTENT_LENGTH) ? CONTENT_LENGTH : OTHER;
            case 15: return is(b, start, N_X_FORWARDED_FOR) ? X_FORWARDED_FOR : OTHER;
            case 16:
                if (is(b, start, N_PROXY_CONNECTION)) return PROXY_CONNECTION;
                return is(b, start, N_X_FORWARDED_HOST) ? X_FORWARDED_HOST : OTHER;
            case 17:
                if (is(b, start, N_TRANSFER_ENCODING)) return TRANSFER_ENCODING;
                return is(b, start, N_X_FORWARDED_PROTO) ? X_FORWARDED_PROTO : OTHER;
            default: return OTHER;
        }
    }

    /**
     * Whether {@code b[start, start + lower.length)} equals {@code lower} ignoring ASCII case; {@code lower}
     * is lower case. Setting bit 0x20 lower-cases letters and leaves '-' and digits alone; the other bytes
     * it could confuse are not token characters, so they never occur in a parsed name.
     */
    static boolean is(byte[] b, int start, byte[] lower) {
        for (int i = 0; i < lower.length; i++) {
            if ((b[start + i] | 0x20) != lower[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code b[start, end)} equals {@code lower} (lower case) ignoring ASCII case. */
    static boolean equalsIgnoreCase(byte[] b, int start, int end, byte[] lower) {
        return end - start == lower.length && is(b, start, lower);
    }
}
