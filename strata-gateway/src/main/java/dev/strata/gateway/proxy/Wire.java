package dev.strata.gateway.proxy;

import dev.strata.gateway.filter.HeaderEdits;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOutboundInvoker;
import java.nio.charset.StandardCharsets;

/**
 * Writes what crosses the proxy, on the bytes: rewritten heads (hop-by-hop fields dropped, forwarding
 * fields and Via added, framing set) and bodies framed for the receiving side.
 */
final class Wire {

    static final short CRLF_SHORT = 0x0d0a;
    static final short COMMA_SPACE_SHORT = 0x2c20;

    private static final ByteBuf CRLF = constant("\r\n");
    private static final ByteBuf LAST_CHUNK = constant("0\r\n\r\n");
    private static final byte[] LAST_CHUNK_LINE = ascii("0\r\n");
    private static final byte[] HTTP11_SP = ascii("HTTP/1.1 ");
    private static final byte[] SP_HTTP11_CRLF = ascii(" HTTP/1.1\r\n");
    private static final byte[] HOST = ascii("Host: ");
    private static final byte[] TE_CHUNKED = ascii("Transfer-Encoding: chunked\r\n");
    private static final byte[] TE = ascii("Transfer-Encoding: ");
    private static final byte[] COMMA_CHUNKED = ascii(", chunked\r\n");
    private static final byte[] CONNECTION_CLOSE = ascii("Connection: close\r\n");
    private static final byte[] CONNECTION_KEEP_ALIVE = ascii("Connection: keep-alive\r\n");
    private static final byte[] XFF = ascii("X-Forwarded-For: ");
    private static final byte[] XFP_HTTP = ascii("X-Forwarded-Proto: http\r\n");
    private static final byte[] XFH = ascii("X-Forwarded-Host: ");
    private static final byte[] FORWARDED = ascii("Forwarded: ");
    private static final byte[] HOST_ELEMENT = ascii(";host=\"");
    private static final byte[] PROTO_ELEMENT = ascii(";proto=http");
    private static final byte[] QUOTE_PROTO_ELEMENT = ascii("\";proto=http");
    private static final byte[] VIA = ascii("Via: ");
    private static final byte[] CONTINUE = ascii("HTTP/1.1 100 Continue\r\n\r\n");
    private static final byte[] HEX = ascii("0123456789abcdef");

    private Wire() {}

    /** The client's side of a request's forwarding fields, formatted once per connection. */
    record Peer(byte[] ip, byte[] forwardedFor, boolean trusted) {}

    /**
     * The request head for the upstream: HTTP/1.1, hop-by-hop fields and Expect gone, Transfer-Encoding
     * chunked when the body is chunked (a Content-Length stays as it came), X-Forwarded-For/-Proto/-Host
     * and Forwarded set (appended to when the peer is trusted, replaced otherwise), Via appended to.
     *
     * An absolute-form target goes up in origin form, with the Host it named; a normalized path (see
     * {@link RequestSyntax}) goes up normalized. {@code edits} (may be
     * {@code null}) drop and add fields among those copied through; they cannot touch framing, hop-by-hop
     * or forwarding fields, which are the proxy's.
     */
    static ByteBuf requestHead(ByteBufAllocator alloc, RequestHead h, Peer peer, byte[] via, HeaderEdits edits) {
        return requestHead(alloc, h, peer, via, edits, null);
    }

    /**
     * As above; {@code defaultHost} (the endpoint's {@code host:port}, may be {@code null}) is the Host of a
     * request that came without one (HTTP/1.0 allows that; HTTP/1.1 upstream requires one).
     */
    static ByteBuf requestHead(ByteBufAllocator alloc, RequestHead h, Peer peer, byte[] via, HeaderEdits edits,
                               String defaultHost) {
        String target = h.forwardTarget();
        String host = h.absoluteForm() ? h.host() : null;
        boolean suppliedHost = false;
        if (host == null && defaultHost != null && h.first(FieldKind.HOST) < 0) {
            host = defaultHost;
            suppliedHost = true; // not the client's: no X-Forwarded-Host or Forwarded host for it
        }
        byte[][] dropped = dropped(edits);
        ByteBuf out = alloc.directBuffer(h.length + 160 + (via == null ? 0 : via.length));
        out.writeBytes(h.bytes, h.startLineStart, h.methodEnd - h.startLineStart + 1);
        if (target == null) {
            out.writeBytes(h.bytes, h.targetStart, h.targetEnd - h.targetStart);
        } else {
            ascii(out, target);
        }
        out.writeBytes(SP_HTTP11_CRLF);
        int hostField = -1;
        if (host != null) {
            out.writeBytes(HOST);
            ascii(out, host);
            out.writeShort(CRLF_SHORT);
        }
        boolean trusted = peer.trusted();
        boolean priorProto = false;
        boolean priorHost = false;
        for (int i = 0, n = h.fieldCount(); i < n; i++) {
            byte kind = h.kind(i);
            if (FieldKind.passive(kind)) {
                if (!h.hopByHop(i) && (dropped == null || !droppedField(h, i, dropped))) {
                    h.writeField(out, i);
                }
                continue;
            }
            switch (kind) {
                case FieldKind.HOST -> {
                    if (host != null || h.hopByHop(i)) {
                        continue;
                    }
                    hostField = i;
                    if (dropped != null && droppedField(h, i, dropped) && addsHost(edits)) {
                        continue; // replaced by an edit; X-Forwarded-Host still names the client's
                    }
                }
                case FieldKind.X_FORWARDED_PROTO -> {
                    if (!trusted || h.hopByHop(i)) {
                        continue;
                    }
                    priorProto = true;
                }
                case FieldKind.X_FORWARDED_HOST -> {
                    if (!trusted || h.hopByHop(i)) {
                        continue;
                    }
                    priorHost = true;
                }
                case FieldKind.CONTENT_LENGTH -> { }
                default -> {
                    continue; // hop-by-hop, Expect, and the fields written below
                }
            }
            h.writeField(out, i);
        }
        if (h.chunked()) {
            out.writeBytes(TE_CHUNKED);
        }
        out.writeBytes(XFF);
        if (trusted && h.writeJoinedValues(out, FieldKind.X_FORWARDED_FOR)) {
            out.writeShort(COMMA_SPACE_SHORT);
        }
        out.writeBytes(peer.ip()).writeShort(CRLF_SHORT);
        if (!priorProto) {
            out.writeBytes(XFP_HTTP);
        }
        if (suppliedHost) {
            host = null;
        }
        if (!priorHost && (host != null || hostField >= 0)) {
            out.writeBytes(XFH);
            if (host != null) {
                ascii(out, host);
            } else {
                out.writeBytes(h.bytes, h.valueStart(hostField), h.valueEnd(hostField) - h.valueStart(hostField));
            }
            out.writeShort(CRLF_SHORT);
        }
        out.writeBytes(FORWARDED);
        if (trusted && h.writeJoinedValues(out, FieldKind.FORWARDED)) {
            out.writeShort(COMMA_SPACE_SHORT);
        }
        out.writeBytes(peer.forwardedFor());
        if (host != null || hostField >= 0) {
            out.writeBytes(HOST_ELEMENT);
            if (host != null) {
                quotedPairs(out, ascii(host), 0, host.length());
            } else {
                quotedPairs(out, h.bytes, h.valueStart(hostField), h.valueEnd(hostField));
            }
            out.writeBytes(QUOTE_PROTO_ELEMENT);
        } else {
            out.writeBytes(PROTO_ELEMENT);
        }
        out.writeShort(CRLF_SHORT);
        writeVia(out, h, via);
        writeAdded(out, edits);
        out.writeShort(CRLF_SHORT);
        return out;
    }

    /** The lower-case names of the fields {@code edits} drop, as bytes; {@code null} when none. */
    private static byte[][] dropped(HeaderEdits edits) {
        if (edits == null || edits.isEmpty()) {
            return null;
        }
        byte[][] names = new byte[edits.size()][];
        int n = 0;
        for (int i = 0; i < edits.size(); i++) {
            if (edits.op(i) != HeaderEdits.Op.ADD) {
                names[n++] = ascii(edits.name(i));
            }
        }
        return n == 0 ? null : java.util.Arrays.copyOf(names, n);
    }

    /** Whether {@code edits} put a Host of their own: a request is never sent without one. */
    private static boolean addsHost(HeaderEdits edits) {
        java.util.List<String> added = edits.added();
        for (int i = 0; i < added.size(); i += 2) {
            if (added.get(i).equalsIgnoreCase("host")) {
                return true;
            }
        }
        return false;
    }

    private static boolean droppedField(Head h, int i, byte[][] dropped) {
        for (byte[] name : dropped) {
            if (h.nameIs(i, name)) {
                return true;
            }
        }
        return false;
    }

    /** The fields {@code edits} add, but for those that frame, are hop-by-hop or the proxy's own. */
    private static void writeAdded(ByteBuf out, HeaderEdits edits) {
        if (edits == null || edits.isEmpty()) {
            return;
        }
        java.util.List<String> added = edits.added();
        for (int i = 0; i < added.size(); i += 2) {
            byte[] name = ascii(added.get(i));
            byte kind = FieldKind.of(name, 0, name.length);
            if (!FieldKind.passive(kind) && kind != FieldKind.HOST) {
                continue;
            }
            out.writeBytes(name).writeByte(':').writeByte(' ');
            ascii(out, added.get(i + 1));
            out.writeShort(CRLF_SHORT);
        }
    }

    /**
     * The response head for the client: HTTP/1.1 with the upstream's status and reason, hop-by-hop
     * fields gone, chunked framing when {@code chunked} (after the upstream's other transfer codings, which
     * are kept), no Content-Length when the upstream sent Transfer-Encoding too (RFC 9112 §6.3),
     * {@code Connection: close} when {@code close}
     * (or {@code keep-alive} for an HTTP/1.0 client that stays), Via appended to.
     */
    static ByteBuf responseHead(ByteBufAllocator alloc, ResponseHead h, boolean chunked, boolean close,
                                boolean http11Client, byte[] via, HeaderEdits edits) {
        if (!h.live()) {
            throw new IllegalStateException("a response head used after the next head was parsed");
        }
        byte[][] dropped = dropped(edits);
        ByteBuf out = alloc.directBuffer(h.length + 64 + (via == null ? 0 : via.length));
        out.writeBytes(HTTP11_SP);
        out.writeBytes(h.bytes, h.statusStart, h.startLineEnd - h.statusStart);
        if (h.startLineEnd - h.statusStart == 3) {
            out.writeByte(' ');
        }
        out.writeShort(CRLF_SHORT);
        for (int i = 0, n = h.fieldCount(); i < n; i++) {
            byte kind = h.kind(i);
            if (kind == FieldKind.VIA || h.hopByHop(i) || (dropped != null && FieldKind.passive(kind)
                    && droppedField(h, i, dropped))) {
                continue;
            }
            if (kind == FieldKind.CONTENT_LENGTH && h.transferEncoding) {
                continue; // RFC 9112 §6.3: Transfer-Encoding overrides it, and a forwarder must remove it
            }
            h.writeField(out, i);
        }
        if (chunked) {
            if (h.otherCodings) {
                // the codings the upstream applied stay (the body is still coded); only chunked is redone
                out.writeBytes(TE);
                h.writeCodingsExceptChunked(out);
                out.writeBytes(COMMA_CHUNKED);
            } else {
                out.writeBytes(TE_CHUNKED);
            }
        }
        if (close) {
            out.writeBytes(CONNECTION_CLOSE);
        } else if (!http11Client) {
            out.writeBytes(CONNECTION_KEEP_ALIVE);
        }
        writeVia(out, h, via);
        writeAdded(out, edits);
        out.writeShort(CRLF_SHORT);
        return out;
    }

    private static void writeVia(ByteBuf out, Head h, byte[] via) {
        if (via == null) {
            if (h.first(FieldKind.VIA) >= 0) {
                out.writeBytes(VIA);
                h.writeJoinedValues(out, FieldKind.VIA);
                out.writeShort(CRLF_SHORT);
            }
            return;
        }
        out.writeBytes(VIA);
        if (h.writeJoinedValues(out, FieldKind.VIA)) {
            out.writeShort(COMMA_SPACE_SHORT);
        }
        out.writeBytes(via).writeShort(CRLF_SHORT);
    }

    /** {@code HTTP/1.1 100 Continue}. */
    static ByteBuf continueResponse(ByteBufAllocator alloc) {
        return alloc.directBuffer(CONTINUE.length).writeBytes(CONTINUE);
    }

    /** Writes (without flushing) a piece of body, as a chunk when {@code chunked}; takes ownership of it. */
    static void writeBody(ChannelOutboundInvoker to, ByteBufAllocator alloc, ByteBuf data, boolean chunked) {
        if (!chunked) {
            to.write(data, to.voidPromise());
            return;
        }
        int n = data.readableBytes();
        if (n == 0) {
            data.release(); // an empty chunk would end the body
            return;
        }
        ByteBuf size = alloc.directBuffer(10);
        hex(size, n);
        size.writeShort(CRLF_SHORT);
        to.write(size, to.voidPromise());
        to.write(data, to.voidPromise());
        to.write(CRLF.duplicate(), to.voidPromise());
    }

    /** Body pieces up to this size are copied into the buffer before them rather than written on their own. */
    static final int JOIN_LIMIT = 2048;

    /** Appends a piece of body (as a chunk when {@code chunked}) to {@code out}; {@code data} stays the caller's. */
    static void appendBody(ByteBuf out, ByteBuf data, boolean chunked) {
        int n = data.readableBytes();
        if (!chunked) {
            out.writeBytes(data, data.readerIndex(), n);
        } else if (n > 0) {
            hex(out, n);
            out.writeShort(CRLF_SHORT).writeBytes(data, data.readerIndex(), n).writeShort(CRLF_SHORT);
        }
    }

    /** Appends the end of a body (see {@link #end}) to {@code out}. */
    static void appendEnd(ByteBuf out, BodyEnd end, boolean chunked) {
        if (chunked) {
            out.writeBytes(LAST_CHUNK_LINE);
            if (end.trailers != null) {
                out.writeBytes(end.trailers);
            }
            out.writeShort(CRLF_SHORT);
        }
    }

    private static void hex(ByteBuf out, int n) {
        for (int shift = (31 - Integer.numberOfLeadingZeros(n)) & ~3; shift >= 0; shift -= 4) {
            out.writeByte(HEX[(n >>> shift) & 0xf]);
        }
    }

    /** The end of a body: the last chunk with the trailers when {@code chunked}, else an empty buffer. */
    static ByteBuf end(ByteBufAllocator alloc, BodyEnd end, boolean chunked) {
        if (!chunked) {
            return Unpooled.EMPTY_BUFFER;
        }
        if (end.trailers == null) {
            return LAST_CHUNK.duplicate();
        }
        ByteBuf b = alloc.directBuffer(end.trailers.length + 5);
        return b.writeBytes(LAST_CHUNK_LINE).writeBytes(end.trailers).writeShort(CRLF_SHORT);
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static void ascii(ByteBuf out, String s) {
        out.writeCharSequence(s, StandardCharsets.ISO_8859_1);
    }

    /** Writes bytes {@code s..e} as the inside of a quoted-string: {@code \} and {@code "} escaped. */
    private static void quotedPairs(ByteBuf out, byte[] b, int s, int e) {
        int from = s;
        for (int i = s; i < e; i++) {
            if (b[i] == '\\' || b[i] == '"') {
                out.writeBytes(b, from, i - from).writeByte('\\');
                from = i;
            }
        }
        out.writeBytes(b, from, e - from);
    }

    private static ByteBuf constant(String s) {
        return Unpooled.unreleasableBuffer(Unpooled.directBuffer(s.length()).writeBytes(ascii(s)).asReadOnly());
    }
}
