package dev.strata.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * HTTP/1.1 message framing shared by both sides of the proxy: a head (decoded by the subclass), then
 * the body as retained slices of the received buffers ({@link ByteBuf} messages, never copied), then
 * one {@link BodyEnd}.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Body framing</b> is a length, chunks, or (responses only) the end of the connection. Chunk
 *   sizes are hexadecimal digits only (no sign, no prefix, at most 15 digits so that no size can
 *   overflow), chunk extensions are skipped but bounded (per chunk: {@code limits.max_chunk_extensions} for
 *   requests, {@link #MAX_CHUNK_EXTENSIONS} for responses) and
 *   validated like field values, and their length is passed on ({@link ChunkExtensions}) so that a
 *   request's count toward its body limit; the CRLF after each chunk's data is required, and trailer
 *   lines are validated like header lines.</li>
 *   <li><b>Trailers</b> lose the fields RFC 9110 §6.5.1 forbids there (framing, Host, controls and
 *   conditionals, authentication and cookies, response control data, content metadata, hop-by-hop and
 *   forwarding fields): a recipient that merges trailers into the head must not be handed them. Both
 *   directions, since both decoders share this.</li>
 *   <li><b>After a failure nothing more is decoded.</b> A {@link DecodeFailure} (or the subclass's own
 *   refusal) is the last message of the connection; every later byte is discarded.</li>
 *   <li><b>Bounded.</b> Heads, chunk-size lines and trailer sections have limits; body bytes are passed
 *   on as they arrive, so no body is ever held whole.</li>
 * </ul>
 * Threading: one instance per channel, confined to its event loop.
 */
abstract class MessageDecoder extends ByteToMessageDecoder {

    static final int HEAD = 0;
    static final int FIXED = 1;
    static final int CHUNK_SIZE = 2;
    static final int CHUNK_DATA = 3;
    static final int CHUNK_CRLF = 4;
    static final int TRAILERS = 5;
    static final int UNTIL_CLOSE = 6;
    static final int FAILED = 7;

    private static final int MAX_CHUNK_LINE = 4096;
    /** The most bytes of extensions one chunk of a response may carry (a request's: limits.max_chunk_extensions). */
    static final int MAX_CHUNK_EXTENSIONS = 1024;

    /**
     * Fields a trailer section may not carry (RFC 9110 §6.5.1), dropped wherever they arrive: framing,
     * routing, request modifiers and conditionals, authentication, response control data, content
     * metadata, and the hop-by-hop and forwarding fields that are the proxy's own.
     */
    private static final byte[][] FORBIDDEN_IN_TRAILERS = names("max-forwards", "range", "if-match",
            "if-unmodified-since", "if-range", "proxy-authorization", "www-authenticate", "proxy-authenticate",
            "location", "retry-after", "warning", "content-encoding", "content-type", "content-range",
            "x-real-ip", "x-forwarded-port");

    private final int maxTrailers;
    private final int maxChunkExtensions;
    private final HeadParser trailers = new HeadParser(false, false);

    // confined to the event loop
    int state = HEAD;
    private long remaining;

    MessageDecoder(int maxTrailers, int maxChunkExtensions) {
        this.maxTrailers = maxTrailers;
        this.maxChunkExtensions = maxChunkExtensions;
    }

    /**
     * Decodes a head from {@code in} if it is complete, adds it (or a refusal) to {@code out} and moves
     * to the body's state through {@link #bodyFixed}, {@link #bodyChunked}, {@link #bodyUntilClose} or
     * {@link #endMessage}. Returns false to end this call of {@code decode}: when more bytes are needed,
     * or to have what it added handed on first (the caller decodes the rest in its next call).
     */
    abstract boolean decodeHead(ChannelHandlerContext ctx, ByteBuf in, List<Object> out);

    /** Called when a message's body is complete (after its {@link BodyEnd} was added). */
    void messageEnded() {}

    @Override
    protected final void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        for (;;) {
            switch (state) {
                case HEAD -> {
                    if (!in.isReadable() || !decodeHead(ctx, in, out)) {
                        return;
                    }
                }
                case FIXED, CHUNK_DATA -> {
                    int n = in.readableBytes();
                    if (n == 0) {
                        return;
                    }
                    int take = (int) Math.min(n, remaining);
                    out.add(in.readRetainedSlice(take));
                    remaining -= take;
                    if (remaining == 0) {
                        if (state == FIXED) {
                            endMessage(out, BodyEnd.EMPTY);
                        } else {
                            state = CHUNK_CRLF;
                        }
                    }
                }
                case CHUNK_SIZE -> {
                    if (!chunkSize(in, out)) {
                        return;
                    }
                }
                case CHUNK_CRLF -> {
                    if (in.readableBytes() < 2) {
                        return;
                    }
                    if (in.getByte(in.readerIndex()) != '\r' || in.getByte(in.readerIndex() + 1) != '\n') {
                        fail(in, out, new DecodeFailure("chunk data not followed by CRLF"));
                        return;
                    }
                    in.skipBytes(2);
                    state = CHUNK_SIZE;
                }
                case TRAILERS -> {
                    if (!trailers(in, out)) {
                        return;
                    }
                }
                case UNTIL_CLOSE -> {
                    if (in.isReadable()) {
                        out.add(in.readRetainedSlice(in.readableBytes()));
                    }
                    return;
                }
                default -> {
                    in.skipBytes(in.readableBytes());
                    return;
                }
            }
        }
    }

    @Override
    protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        decode(ctx, in, out);
        if (state == UNTIL_CLOSE) {
            endMessage(out, BodyEnd.EMPTY);
        }
    }

    final void bodyFixed(List<Object> out, long length) {
        if (length == 0) {
            endMessage(out, BodyEnd.EMPTY);
        } else {
            remaining = length;
            state = FIXED;
        }
    }

    final void bodyChunked() {
        state = CHUNK_SIZE;
    }

    final void bodyUntilClose() {
        state = UNTIL_CLOSE;
    }

    final void endMessage(List<Object> out, BodyEnd end) {
        out.add(end);
        state = HEAD;
        messageEnded();
    }

    /** Ends decoding for good: {@code failure} (a {@link DecodeFailure} or a refused head) is the last message. */
    final void fail(ByteBuf in, List<Object> out, Object failure) {
        state = FAILED;
        in.skipBytes(in.readableBytes());
        out.add(failure);
    }

    private boolean chunkSize(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int limit = Math.min(in.writerIndex(), start + MAX_CHUNK_LINE);
        int lf = in.indexOf(start, limit, (byte) '\n');
        if (lf < 0) {
            if (in.readableBytes() >= MAX_CHUNK_LINE) {
                fail(in, out, new DecodeFailure("chunk size line too long"));
            }
            return false;
        }
        if (lf == start || in.getByte(lf - 1) != '\r') {
            fail(in, out, new DecodeFailure("chunk size line not terminated by CRLF"));
            return false;
        }
        int end = lf - 1; // the CR
        long size = 0;
        int i = start;
        for (; i < end; i++) {
            int d = Character.digit(in.getByte(i), 16);
            if (d < 0) {
                break;
            }
            if (i - start == 15) {
                fail(in, out, new DecodeFailure("chunk size too large"));
                return false;
            }
            size = size << 4 | d;
        }
        if (i == start) {
            fail(in, out, new DecodeFailure("invalid chunk size"));
            return false;
        }
        // optional whitespace, then extensions: ;name[=value] with value bytes as in a field value
        for (; i < end; i++) {
            byte b = in.getByte(i);
            if (b != ' ' && b != '\t') {
                break;
            }
        }
        if (i < end) {
            if (in.getByte(i) != ';') {
                fail(in, out, new DecodeFailure("invalid chunk size"));
                return false;
            }
            if (end - i > maxChunkExtensions) {
                fail(in, out, new DecodeFailure("chunk extensions longer than " + maxChunkExtensions + " bytes"));
                return false;
            }
            out.add(new ChunkExtensions(end - i));
            for (; i < end; i++) {
                int b = in.getByte(i) & 0xff;
                if ((b < 0x20 && b != '\t') || b == 0x7f) {
                    fail(in, out, new DecodeFailure("invalid chunk extension"));
                    return false;
                }
            }
        }
        in.readerIndex(lf + 1);
        if (size == 0) {
            state = TRAILERS;
        } else {
            remaining = size;
            state = CHUNK_DATA;
        }
        return true;
    }

    /**
     * Feeds {@code parser}; returns the length of the complete section, or -1 when more bytes are
     * needed or the section was refused (too large, or malformed: then the decoder has failed).
     */
    final int feedOrFail(HeadParser parser, ByteBuf in, List<Object> out, int limit, String what) {
        int r = parser.feed(in, limit);
        if (r == HeadParser.INCOMPLETE) {
            if (parser.filled() >= limit) {
                parser.reset();
                fail(in, out, new DecodeFailure(what + " too large"));
            }
            return -1;
        }
        if (r < 0) {
            parser.reset();
            fail(in, out, new DecodeFailure("malformed " + what + ": " + HeadParser.reason(r)));
            return -1;
        }
        return r;
    }

    private boolean trailers(ByteBuf in, List<Object> out) {
        int r = feedOrFail(trailers, in, out, maxTrailers + 2, "trailer section");
        if (r < 0) {
            return false;
        }
        in.skipBytes(r);
        byte[] lines = r > 2 ? allowedTrailers(trailers, r - 2) : null;
        trailers.reset();
        endMessage(out, lines == null ? BodyEnd.EMPTY : new BodyEnd(lines));
        return true;
    }

    /** The trailer lines {@code p} just parsed but for those RFC 9110 §6.5.1 forbids; {@code null} if none is left. */
    private static byte[] allowedTrailers(HeadParser p, int length) {
        byte[] b = p.scratchHead();
        int[] f = p.scratchFields();
        byte[] kinds = p.scratchKinds();
        int n = p.fieldCount();
        int size = 0;
        boolean dropped = false;
        for (int i = 0; i < n; i++) {
            if (forbiddenInTrailers(kinds[i], b, f[i * 4], f[i * 4 + 1])) {
                dropped = true;
            } else {
                size += f[i * 4 + 3] - f[i * 4] + 2;
            }
        }
        if (!dropped) {
            return p.copyHead(length);
        }
        if (size == 0) {
            return null;
        }
        byte[] out = new byte[size];
        int o = 0;
        for (int i = 0; i < n; i++) {
            if (!forbiddenInTrailers(kinds[i], b, f[i * 4], f[i * 4 + 1])) {
                int len = f[i * 4 + 3] - f[i * 4];
                System.arraycopy(b, f[i * 4], out, o, len);
                out[o + len] = '\r';
                out[o + len + 1] = '\n';
                o += len + 2;
            }
        }
        return out;
    }

    static boolean forbiddenInTrailers(byte kind, byte[] b, int nameStart, int nameEnd) {
        if (kind != FieldKind.OTHER) {
            // every recognised field but the validators is framing, routing, control, auth or the proxy's
            return kind != FieldKind.ETAG && kind != FieldKind.LAST_MODIFIED;
        }
        for (byte[] name : FORBIDDEN_IN_TRAILERS) {
            if (FieldKind.equalsIgnoreCase(b, nameStart, nameEnd, name)) {
                return true;
            }
        }
        int len = nameEnd - nameStart;
        return len > 3 && (b[nameStart] | 0x20) == 'i' && (b[nameStart + 1] | 0x20) == 'f' && b[nameStart + 2] == '-';
    }

    private static byte[][] names(String... names) {
        byte[][] out = new byte[names.length][];
        for (int i = 0; i < names.length; i++) {
            out[i] = Wire.ascii(names[i]);
        }
        return out;
    }
}
