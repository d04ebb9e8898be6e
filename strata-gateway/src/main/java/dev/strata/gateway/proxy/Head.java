package dev.strata.gateway.proxy;

import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A parsed HTTP/1.1 head kept as its bytes: the start line and each field as offsets into one array
 * (see {@link HeadParser}). What the proxy needs to know about framing and connection handling is
 * worked out once, here; everything else is copied through untouched.
 *
 * <p>A {@link RequestHead} owns copies of its arrays: it lives as long as its exchange. A
 * {@link ResponseHead} is a view of the event loop's parse scratch, valid until the next head is parsed
 * on that thread (see there).
 */
abstract sealed class Head permits RequestHead, ResponseHead {

    private static final byte[] CLOSE = Wire.ascii("close");
    private static final byte[] KEEP_ALIVE = Wire.ascii("keep-alive");
    private static final byte[] CHUNKED = Wire.ascii("chunked");

    final byte[] bytes;           // the head starts at 0; may run on past length (see ResponseHead)
    final int length;
    final int startLineStart;
    final int startLineEnd;
    private final int[] fields; // per field: name start, name end, value start, value end
    private final byte[] kinds;
    private final int count;

    // framing and connection, from the fields
    int contentLengths;          // how many Content-Length fields
    long contentLength = -1;     // their value when there is exactly one and it is valid, else -1
    boolean transferEncoding;    // any Transfer-Encoding field
    boolean chunkedOnceAndLast;  // the codings end with chunked, which occurs once, and none is empty
    boolean chunkedAnywhere;     // chunked is among the codings (last or not)
    boolean otherCodings;        // a coding other than chunked (gzip, say) is among them
    boolean connectionClose;
    boolean connectionKeepAlive;
    private int[] connectionNames; // other tokens of Connection: fields to drop as hop-by-hop

    Head(byte[] bytes, int length, int startLineStart, int startLineEnd, int[] fields, byte[] kinds, int count) {
        this.bytes = bytes;
        this.length = length;
        this.startLineStart = startLineStart;
        this.startLineEnd = startLineEnd;
        this.fields = fields;
        this.kinds = kinds;
        this.count = count;
        analyze();
    }

    final int fieldCount() {
        return count;
    }

    final byte kind(int i) {
        return kinds[i];
    }

    final int valueStart(int i) {
        return fields[i * 4 + 2];
    }

    final int valueEnd(int i) {
        return fields[i * 4 + 3];
    }

    final String value(int i) {
        int vs = fields[i * 4 + 2];
        return new String(bytes, vs, fields[i * 4 + 3] - vs, StandardCharsets.ISO_8859_1);
    }

    /** The name of field {@code i} as received. */
    final String name(int i) {
        int ns = fields[i * 4];
        return new String(bytes, ns, fields[i * 4 + 1] - ns, StandardCharsets.ISO_8859_1);
    }

    /** Whether field {@code i} is named {@code lowerName} (lower case), ignoring case. */
    final boolean nameIs(int i, byte[] lowerName) {
        return FieldKind.equalsIgnoreCase(bytes, fields[i * 4], fields[i * 4 + 1], lowerName);
    }

    /** The first value of the named field (any case), or {@code null}. */
    public final String header(String name) {
        return header(Wire.ascii(name.toLowerCase(Locale.ROOT)));
    }

    /** Every value of the named field (any case), in order. */
    public final List<String> headers(String name) {
        byte[] lower = Wire.ascii(name.toLowerCase(Locale.ROOT));
        byte kind = FieldKind.of(lower, 0, lower.length);
        List<String> values = new ArrayList<>(2);
        for (int i = 0; i < count; i++) {
            if (kind != FieldKind.OTHER ? kinds[i] == kind : nameIs(i, lower)) {
                values.add(value(i));
            }
        }
        return values;
    }

    /** The first value of the field named {@code lowerName} (lower case), or {@code null}. */
    final String header(byte[] lowerName) {
        byte kind = FieldKind.of(lowerName, 0, lowerName.length);
        if (kind != FieldKind.OTHER) {
            int f = first(kind); // recognised during the parse: no name to compare
            return f < 0 ? null : value(f);
        }
        for (int i = 0; i < count; i++) {
            int k = i * 4;
            if (FieldKind.equalsIgnoreCase(bytes, fields[k], fields[k + 1], lowerName)) {
                return value(i);
            }
        }
        return null;
    }

    /** The first field of this kind, or -1. */
    final int first(byte kind) {
        for (int i = 0; i < count; i++) {
            if (kinds[i] == kind) {
                return i;
            }
        }
        return -1;
    }

    /** How many fields are of this kind. */
    final int count(byte kind) {
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (kinds[i] == kind) {
                n++;
            }
        }
        return n;
    }

    /** Whether the field must not cross the proxy: hop-by-hop by name, or named in Connection. */
    final boolean hopByHop(int i) {
        byte kind = kinds[i];
        if (FieldKind.hopByHop(kind)) {
            return true;
        }
        int[] named = connectionNames;
        // Connection cannot make a field hop-by-hop that routes or frames the message (RFC 9110 §7.6.1:
        // a proxy must not be made to drop Host, and a dropped Content-Length would unframe the body)
        if (named != null && kind != FieldKind.HOST && kind != FieldKind.CONTENT_LENGTH) {
            int ns = fields[i * 4];
            int len = fields[i * 4 + 1] - ns;
            for (int t = 0; t < named.length; t += 2) {
                if (named[t + 1] - named[t] == len && sameIgnoringCase(ns, named[t], len)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Writes field {@code i} as it arrived (name, colon, value without trailing whitespace) and CRLF. */
    final void writeField(ByteBuf out, int i) {
        int ns = fields[i * 4];
        out.writeBytes(bytes, ns, fields[i * 4 + 3] - ns);
        out.writeShort(Wire.CRLF_SHORT);
    }

    /** Writes the values of every field of {@code kind}, joined by ", "; returns whether there was one. */
    final boolean writeJoinedValues(ByteBuf out, byte kind) {
        boolean any = false;
        for (int i = 0; i < count; i++) {
            if (kinds[i] == kind) {
                if (any) {
                    out.writeShort(Wire.COMMA_SPACE_SHORT);
                }
                int vs = fields[i * 4 + 2];
                out.writeBytes(bytes, vs, fields[i * 4 + 3] - vs);
                any = true;
            }
        }
        return any;
    }

    private boolean sameIgnoringCase(int a, int b, int len) {
        for (int j = 0; j < len; j++) {
            if ((bytes[a + j] | 0x20) != (bytes[b + j] | 0x20)) {
                return false;
            }
        }
        return true;
    }

    private void analyze() {
        int chunked = 0;
        int lastStart = -1;
        int lastEnd = -1;
        boolean emptyCoding = false;
        for (int i = 0; i < count; i++) {
            byte kind = kinds[i];
            if (kind == FieldKind.OTHER) {
                continue;
            }
            int vs = fields[i * 4 + 2];
            int ve = fields[i * 4 + 3];
            switch (kind) {
                case FieldKind.CONTENT_LENGTH -> {
                    contentLengths++;
                    contentLength = contentLengths == 1 ? digits(vs, ve) : -1;
                }
                case FieldKind.TRANSFER_ENCODING, FieldKind.CONNECTION -> {
                    boolean te = kind == FieldKind.TRANSFER_ENCODING;
                    transferEncoding |= te;
                    int s = vs;
                    while (s <= ve) {
                        int e = s;
                        while (e < ve && bytes[e] != ',') {
                            e++;
                        }
                        int ts = s;
                        int te2 = e;
                        while (ts < te2 && (bytes[ts] == ' ' || bytes[ts] == '\t')) ts++;
                        while (te2 > ts && (bytes[te2 - 1] == ' ' || bytes[te2 - 1] == '\t')) te2--;
                        if (te) {
                            if (ts == te2) {
                                emptyCoding = true;
                            } else if (FieldKind.equalsIgnoreCase(bytes, ts, te2, CHUNKED)) {
                                chunked++;
                            } else {
                                otherCodings = true;
                            }
                            lastStart = ts;
                            lastEnd = te2;
                        } else if (ts < te2) {
                            connectionToken(ts, te2);
                        }
                        s = e + 1;
                    }
                }
                default -> { }
            }
        }
        chunkedAnywhere = chunked > 0;
        chunkedOnceAndLast = transferEncoding && !emptyCoding && chunked == 1
                && FieldKind.equalsIgnoreCase(bytes, lastStart, lastEnd, CHUNKED);
    }

    /**
     * Writes the transfer codings other than chunked, in order, joined by ", " (a response whose body the
     * proxy re-chunks keeps the codings the upstream applied before chunking); returns whether there was one.
     */
    final boolean writeCodingsExceptChunked(ByteBuf out) {
        boolean any = false;
        for (int i = 0; i < count; i++) {
            if (kinds[i] != FieldKind.TRANSFER_ENCODING) {
                continue;
            }
            int ve = fields[i * 4 + 3];
            int s = fields[i * 4 + 2];
            while (s <= ve) {
                int e = s;
                while (e < ve && bytes[e] != ',') {
                    e++;
                }
                int ts = s;
                int te = e;
                while (ts < te && (bytes[ts] == ' ' || bytes[ts] == '\t')) ts++;
                while (te > ts && (bytes[te - 1] == ' ' || bytes[te - 1] == '\t')) te--;
                if (ts < te && !FieldKind.equalsIgnoreCase(bytes, ts, te, CHUNKED)) {
                    if (any) {
                        out.writeShort(Wire.COMMA_SPACE_SHORT);
                    }
                    out.writeBytes(bytes, ts, te - ts);
                    any = true;
                }
                s = e + 1;
            }
        }
        return any;
    }

    private void connectionToken(int s, int e) {
        if (FieldKind.equalsIgnoreCase(bytes, s, e, CLOSE)) {
            connectionClose = true;
        } else if (FieldKind.equalsIgnoreCase(bytes, s, e, KEEP_ALIVE)) {
            connectionKeepAlive = true;
        } else {
            for (int j = s; j < e; j++) {
                if (!HeadParser.isToken(bytes[j])) {
                    return; // not a field name: nothing to drop
                }
            }
            int[] n = connectionNames;
            n = n == null ? new int[2] : java.util.Arrays.copyOf(n, n.length + 2);
            n[n.length - 2] = s;
            n[n.length - 1] = e;
            connectionNames = n;
        }
    }

    /** The value of 1 to 18 decimal digits, or -1. */
    private long digits(int s, int e) {
        if (e <= s || e - s > 18) {
            return -1;
        }
        long v = 0;
        for (int j = s; j < e; j++) {
            int d = bytes[j] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }
}
