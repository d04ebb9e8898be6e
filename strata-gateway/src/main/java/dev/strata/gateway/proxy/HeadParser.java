package dev.strata.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.Arrays;

/**
 * Finds, validates and indexes an HTTP/1.1 head (start line, field lines, empty line) in one pass
 * over its bytes, resuming where it stopped when the head arrives in pieces.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Strict, because the next hop may read the same bytes differently.</b> CRLF line endings
 *   only (no bare CR or LF), no obs-fold, field names made of token characters directly followed by
 *   the colon, no NUL, CTL or DEL in values or in the start line. Anything else is refused with a
 *   code that {@link #reason} explains.</li>
 *   <li><b>Bytes stay bytes.</b> The head is copied once into a per-thread array (bounded by the
 *   limit the caller gives) and each field is recorded as four offsets (name start/end, value start/end with
 *   surrounding whitespace trimmed) plus its {@link FieldKind}; later steps write fields out by
 *   copying ranges, never through strings. A request head takes a copy of its part of the scratch
 *   ({@link #copyHead}); a response head is used before the next parse and reads the scratch itself
 *   ({@link #scratchHead}).</li>
 *   <li><b>Linear in the head's size however it is split.</b> Only bytes not seen before are copied,
 *   and scanning resumes at the first line that was incomplete.</li>
 * </ul>
 * Threading: one instance per decoder, confined to its channel's event loop.
 */
final class HeadParser {

    static final int INCOMPLETE = -1;
    static final int BARE_CR = -2;
    static final int BARE_LF = -3;
    static final int OBS_FOLD = -4;
    static final int BAD_NAME = -5;
    static final int BAD_VALUE = -6;
    static final int BAD_START_LINE = -7;
    static final int NO_COLON = -8;

    /** Token characters of RFC 9110 §5.6.2. */
    private static final boolean[] TOKEN = new boolean[256];
    /** Bytes allowed in a start line: visible ASCII, space, and obs-text. */
    private static final boolean[] START_LINE = new boolean[256];
    /** Bytes allowed in a field value: visible ASCII, space, tab, and obs-text (RFC 9110 §5.5). */
    private static final boolean[] FIELD_VALUE = new boolean[256];

    static {
        for (int c = 0; c < 256; c++) {
            START_LINE[c] = c >= 0x20 && c != 0x7f;
            FIELD_VALUE[c] = (c >= 0x20 || c == '\t') && c != 0x7f;
        }
        for (int c = '0'; c <= '9'; c++) TOKEN[c] = true;
        for (int c = 'a'; c <= 'z'; c++) TOKEN[c] = true;
        for (int c = 'A'; c <= 'Z'; c++) TOKEN[c] = true;
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) TOKEN[c] = true;
    }

    /**
     * Where heads are parsed: one per event-loop thread, lent to one parser at a time. A parser whose
     * scratch was used by another connection since its last call starts over from its buffered bytes
     * (they are all still in the decoder's cumulation, since nothing is consumed before the head is
     * complete). So an idle connection holds a few ints, not buffers.
     */
    private static final class Scratch {
        byte[] buf = new byte[2048];
        int[] fields = new int[128];
        byte[] kinds = new byte[32];
        HeadParser owner;
        long feeds; // calls of feed() here so far: a view taken at one count is stale at the next
    }

    private static final FastThreadLocal<Scratch> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected Scratch initialValue() {
            return new Scratch();
        }
    };

    private static final int FIRST_STEP = 1024;

    private final boolean startLine;
    private final boolean skipLeadingEmptyLines;

    // confined to the event loop; valid until reset()
    private Scratch scratch;
    private int filled;
    private int count;
    private int pos;
    private int startLineStart;
    private int startLineEnd = -1;

    /**
     * @param startLine             whether the head opens with a start line (a trailer section does not)
     * @param skipLeadingEmptyLines whether empty lines before the start line are ignored (RFC 9112 §2.2,
     *                              for requests)
     */
    HeadParser(boolean startLine, boolean skipLeadingEmptyLines) {
        this.startLine = startLine;
        this.skipLeadingEmptyLines = skipLeadingEmptyLines;
    }

    static boolean isToken(int b) {
        return TOKEN[b & 0xff];
    }

    static String reason(int code) {
        return switch (code) {
            case BARE_CR -> "bare CR in the head";
            case BARE_LF -> "line not terminated by CRLF";
            case OBS_FOLD -> "obsolete line folding";
            case BAD_NAME -> "invalid header name (or whitespace before the colon)";
            case BAD_VALUE -> "invalid character in a header value";
            case BAD_START_LINE -> "invalid character in the request line";
            case NO_COLON -> "header line without a colon";
            default -> "malformed head";
        };
    }

    /**
     * Copies what is new of {@code in} (from its reader index, at most {@code limit} bytes in all) and
     * scans on. Returns the head's length once it is complete, {@link #INCOMPLETE}, or an error code.
     * Consumes nothing from {@code in}.
     */
    int feed(ByteBuf in, int limit) {
        Scratch sc = SCRATCH.get();
        sc.feeds++;
        if (sc.owner != this) {
            sc.owner = this;
            scratch = sc;
            reset(); // start over: the scratch holds another connection's bytes
        }
        int available = Math.min(in.readableBytes(), limit);
        for (;;) {
            // copy in growing steps: a head is usually far shorter than what arrived with it
            int n = Math.min(available, Math.max(filled * 2, FIRST_STEP));
            int old = filled;
            if (n <= old) {
                return INCOMPLETE;
            }
            if (n > sc.buf.length) {
                sc.buf = Arrays.copyOf(sc.buf, Math.max(n, Math.min(sc.buf.length * 2, limit)));
            }
            in.getBytes(in.readerIndex() + old, sc.buf, old, n - old);
            filled = n;
            if (old > 0 && sc.buf[old - 1] != '\r' && !endsALine(sc.buf, old, n)) {
                continue; // the line that was incomplete still is: no rescan (a head fed byte by byte)
            }
            int r = scan(sc);
            if (r != INCOMPLETE || filled >= available) {
                return r;
            }
        }
    }

    private static boolean endsALine(byte[] buf, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] == '\n' || buf[i] == '\r') {
                return true;
            }
        }
        return false;
    }

    /** Bytes copied so far. */
    int filled() {
        return filled;
    }

    /** Whether the start line is complete (it was within the limit). */
    boolean startLineSeen() {
        return startLineEnd >= 0;
    }

    int startLineStart() {
        return startLineStart;
    }

    /** Index of the CR that ends the start line. */
    int startLineEnd() {
        return startLineEnd;
    }

    int fieldCount() {
        return count;
    }

    /** A copy of the head's first {@code length} bytes (valid after {@link #feed} found the head). */
    byte[] copyHead(int length) {
        return Arrays.copyOf(scratch.buf, length);
    }

    int[] copyFields() {
        return Arrays.copyOf(scratch.fields, count * 4);
    }

    byte[] copyKinds() {
        return Arrays.copyOf(scratch.kinds, count);
    }

    /**
     * The scratch arrays themselves, for a head that is used before anything else is parsed on this
     * thread (valid after {@link #feed} found the head; overwritten by the next feed of any parser here).
     */
    byte[] scratchHead() {
        return scratch.buf;
    }

    int[] scratchFields() {
        return scratch.fields;
    }

    byte[] scratchKinds() {
        return scratch.kinds;
    }

    /** How many times any parser of this thread was fed: a view of the scratch is valid while this stays. */
    long scratchFeeds() {
        return scratch.feeds;
    }

    void reset() {
        filled = 0;
        count = 0;
        pos = 0;
        startLineStart = 0;
        startLineEnd = -1;
    }

    private int scan(Scratch sc) {
        final byte[] b = sc.buf;
        final int to = filled;
        int i = pos;
        if (startLine && startLineEnd < 0) {
            if (skipLeadingEmptyLines) {
                while (i + 1 < to && b[i] == '\r' && b[i + 1] == '\n') {
                    i += 2;
                }
                pos = i;
            }
            startLineStart = i;
            int e = lineEnd(b, i, to, START_LINE, BAD_START_LINE);
            if (e < 0) {
                return e;
            }
            startLineEnd = e - 2;
            i = e;
            pos = e;
        }
        for (;;) {
            if (i >= to) return INCOMPLETE;
            byte c = b[i];
            if (c == '\r') {
                if (i + 1 >= to) return INCOMPLETE;
                return b[i + 1] == '\n' ? i + 2 : BARE_CR;
            }
            if (c == '\n') return BARE_LF;
            if (c == ' ' || c == '\t') return OBS_FOLD;
            int nameStart = i;
            while (i < to && TOKEN[b[i] & 0xff]) {
                i++;
            }
            if (i >= to) return INCOMPLETE;
            c = b[i];
            if (c != ':') {
                return c == '\r' || c == '\n' ? NO_COLON : BAD_NAME;
            }
            if (i == nameStart) return BAD_NAME;
            int nameEnd = i;
            int e = lineEnd(b, i + 1, to, FIELD_VALUE, BAD_VALUE);
            if (e < 0) return e;
            int vs = i + 1;
            int ve = e - 2;
            while (vs < ve && (b[vs] == ' ' || b[vs] == '\t')) vs++;
            while (ve > vs && (b[ve - 1] == ' ' || b[ve - 1] == '\t')) ve--;
            add(sc, nameStart, nameEnd, vs, ve, FieldKind.of(b, nameStart, nameEnd));
            i = e;
            pos = e;
        }
    }

    private void add(Scratch sc, int ns, int ne, int vs, int ve, byte kind) {
        if (count * 4 + 4 > sc.fields.length) {
            sc.fields = Arrays.copyOf(sc.fields, sc.fields.length * 2);
        }
        if (count + 1 > sc.kinds.length) {
            sc.kinds = Arrays.copyOf(sc.kinds, sc.kinds.length * 2);
        }
        int[] fields = sc.fields;
        int k = count * 4;
        fields[k] = ns;
        fields[k + 1] = ne;
        fields[k + 2] = vs;
        fields[k + 3] = ve;
        sc.kinds[count++] = kind;
    }

    /**
     * Scans from {@code i} to the CRLF that ends a line whose bytes must all be {@code allowed}; returns
     * the index after the CRLF, {@link #INCOMPLETE}, {@link #BARE_CR}, {@link #BARE_LF} or {@code badByte}.
     */
    private static int lineEnd(byte[] b, int i, int to, boolean[] allowed, int badByte) {
        for (;;) {
            if (i >= to) return INCOMPLETE;
            int c = b[i] & 0xff;
            if (c == '\r') {
                if (i + 1 >= to) return INCOMPLETE;
                return b[i + 1] == '\n' ? i + 2 : BARE_CR;
            }
            if (c == '\n') return BARE_LF;
            if (!allowed[c]) return badByte;
            i++;
        }
    }
}
