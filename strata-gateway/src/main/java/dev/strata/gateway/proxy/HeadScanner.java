package dev.strata.gateway.proxy;

import io.netty.buffer.ByteBuf;

/**
 * Validates the raw bytes of a request head (request line + header section + empty line) in one
 * pass. Returns the index just after the head, {@link #INCOMPLETE}, or a negative error code.
 */
final class HeadScanner {

    static final int INCOMPLETE = -1;
    static final int BARE_CR = -2;
    static final int BARE_LF = -3;
    static final int OBS_FOLD = -4;
    static final int BAD_NAME = -5;
    static final int BAD_VALUE = -6;
    static final int BAD_REQUEST_LINE = -7;
    static final int NO_COLON = -8;

    /** Token characters of RFC 9110 §5.6.2. */
    private static final boolean[] TOKEN = new boolean[256];

    /** Bytes allowed in the request line: visible ASCII, space, and obs-text. */
    private static final boolean[] REQUEST_LINE = new boolean[256];

    /** Bytes allowed in a field value: visible ASCII, space, tab, and obs-text (RFC 9110 §5.5). */
    private static final boolean[] FIELD_VALUE = new boolean[256];

    static {
        for (int c = 0; c < 256; c++) {
            REQUEST_LINE[c] = c >= 0x20 && c != 0x7f;
            FIELD_VALUE[c] = (c >= 0x20 || c == '\t') && c != 0x7f;
        }
        for (int c = '0'; c <= '9'; c++) TOKEN[c] = true;
        for (int c = 'a'; c <= 'z'; c++) TOKEN[c] = true;
        for (int c = 'A'; c <= 'Z'; c++) TOKEN[c] = true;
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TOKEN[c] = true;
    }

    private HeadScanner() {}

    static String reason(int code) {
        return switch (code) {
            case BARE_CR -> "bare CR in the request head";
            case BARE_LF -> "line not terminated by CRLF";
            case OBS_FOLD -> "obsolete line folding";
            case BAD_NAME -> "invalid header name (or whitespace before the colon)";
            case BAD_VALUE -> "invalid character in a header value";
            case BAD_REQUEST_LINE -> "invalid character in the request line";
            case NO_COLON -> "header line without a colon";
            default -> "malformed request head";
        };
    }

    static int scan(ByteBuf buf, int from, int to) {
        int i = from;
        // RFC 9112 §2.2: a server should ignore at least one empty line before the request line
        while (i + 1 < to && buf.getByte(i) == '\r' && buf.getByte(i + 1) == '\n') {
            i += 2;
        }
        i = lineEnd(buf, i, to, REQUEST_LINE, BAD_REQUEST_LINE);
        if (i < 0) return i;
        // header lines
        for (;;) {
            if (i >= to) return INCOMPLETE;
            int b = buf.getByte(i) & 0xff;
            if (b == '\r') {
                if (i + 1 >= to) return INCOMPLETE;
                if (buf.getByte(i + 1) != '\n') return BARE_CR;
                return i + 2; // empty line: end of head
            }
            if (b == '\n') return BARE_LF;
            if (b == ' ' || b == '\t') return OBS_FOLD;
            // name
            int nameStart = i;
            while (i < to && TOKEN[buf.getByte(i) & 0xff]) {
                i++;
            }
            if (i >= to) return INCOMPLETE;
            b = buf.getByte(i) & 0xff;
            if (b != ':') {
                return b == '\r' || b == '\n' ? NO_COLON : BAD_NAME;
            }
            if (i == nameStart) return BAD_NAME;
            i++;
            i = lineEnd(buf, i, to, FIELD_VALUE, BAD_VALUE);
            if (i < 0) return i;
        }
    }

    /**
     * Scans from {@code i} to the CRLF that ends a line whose bytes must all be {@code allowed}; returns
     * the index after the CRLF, or {@link #INCOMPLETE}, {@link #BARE_CR}, {@link #BARE_LF} or
     * {@code badByte}.
     */
    private static int lineEnd(ByteBuf buf, int i, int to, boolean[] allowed, int badByte) {
        for (;;) {
            if (i >= to) return INCOMPLETE;
            int b = buf.getByte(i) & 0xff;
            if (b == '\r') {
                if (i + 1 >= to) return INCOMPLETE;
                return buf.getByte(i + 1) == '\n' ? i + 2 : BARE_CR;
            }
            if (b == '\n') return BARE_LF;
            if (!allowed[b]) return badByte;
            i++;
        }
    }
}
