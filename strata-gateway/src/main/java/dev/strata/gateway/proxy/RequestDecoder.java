package dev.strata.gateway.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.List;

/**
 * Netty's request decoder with the framing rules a proxy needs to be safe against request smuggling.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Header section scan.</b> Before Netty parses a request head, this decoder validates the raw
 *   bytes of the whole head once: CRLF line endings only (no bare CR or LF), no obs-fold, header names
 *   made of token characters directly followed by the colon (no whitespace before it), values free of
 *   NUL, CTLs and DEL. Netty folds continuation lines and tolerates some of these; a proxy must not,
 *   because the upstream may read the same bytes differently. The head is scanned only when it is
 *   complete; until then nothing is consumed (Netty buffers the same bytes either way), unless it
 *   already exceeds the limits, in which case Netty's own parser reports 414 or 431. Since every head
 *   that Netty parses was scanned, Netty does not validate the head's header names and values a second
 *   time (it still validates trailers, which the scan does not cover).</li>
 *   <li><b>Framing of the decoded head.</b> Exactly one Content-Length made of digits; no
 *   Content-Length together with Transfer-Encoding; Transfer-Encoding only on HTTP/1.1 and with
 *   {@code chunked} as its final and only-once coding.</li>
 *   <li><b>After an error nothing more is decoded.</b> The bad request is passed on with a failed
 *   {@link DecoderResult}; every later byte of the connection is discarded (the handler answers 400
 *   and closes). So no byte of a rejected request can reach an upstream.</li>
 * </ul>
 * Threading: one instance per client channel, used only on its event loop.
 */
final class RequestDecoder extends HttpRequestDecoder {

    /** Told when the first byte of a new request head arrives (the header-read timer starts). */
    interface HeadWatch {
        void headStarted();
    }

    private final int maxInitialLine;
    private final int maxHeaderSize;
    private final HeadWatch watch;

    // event-loop confined
    private boolean awaitingHead = true;
    private boolean headStarted;
    private boolean failed;

    RequestDecoder(int maxInitialLine, int maxHeaderSize, HeadWatch watch) {
        super(new HttpDecoderConfig()
                .setMaxInitialLineLength(maxInitialLine)
                .setMaxHeaderSize(maxHeaderSize)
                .setMaxChunkSize(64 * 1024)
                .setAllowDuplicateContentLengths(false)
                .setStrictLineParsing(true)
                .setValidateHeaders(true)
                // the head's names and values were checked by HeadScanner already (see the notes);
                // trailers are not scanned and keep Netty's validation
                .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withValidation(false))
                .setChunkedSupported(true));
        this.maxInitialLine = maxInitialLine;
        this.maxHeaderSize = maxHeaderSize;
        this.watch = watch;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws Exception {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (awaitingHead) {
            if (!in.isReadable()) {
                return;
            }
            if (!headStarted) {
                headStarted = true;
                if (watch != null) {
                    watch.headStarted();
                }
            }
            int scan = HeadScanner.scan(in, in.readerIndex(), in.writerIndex());
            if (scan == HeadScanner.INCOMPLETE) {
                if (in.readableBytes() <= maxInitialLine + maxHeaderSize + 4) {
                    return; // wait for the rest of the head
                }
                // too long: Netty's parser reports it as 414 or 431
            } else if (scan < 0) {
                fail(in, out, HeadScanner.reason(scan));
                return;
            }
        }
        int before = out.size();
        super.decode(ctx, in, out);
        for (int i = before; i < out.size(); i++) {
            Object msg = out.get(i);
            if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
                failed = true;
                in.skipBytes(in.readableBytes());
                dropAfter(out, i);
                return;
            }
            if (msg instanceof HttpRequest request) {
                awaitingHead = false;
                String problem = framingProblem(request);
                if (problem != null) {
                    request.setDecoderResult(DecoderResult.failure(new BadRequestException(problem)));
                    failed = true;
                    in.skipBytes(in.readableBytes());
                    dropAfter(out, i);
                    return;
                }
            }
            if (msg instanceof LastHttpContent) {
                awaitingHead = true;
                headStarted = false;
            }
        }
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
        // keep both headers: framingProblem() rejects the request (Netty would drop Content-Length)
    }

    private void fail(ByteBuf in, List<Object> out, String reason) {
        failed = true;
        in.skipBytes(in.readableBytes());
        DefaultFullHttpRequest bad = new DefaultFullHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/bad-request");
        bad.setDecoderResult(DecoderResult.failure(new BadRequestException(reason)));
        out.add(bad);
    }

    private static void dropAfter(List<Object> out, int index) {
        while (out.size() > index + 1) {
            ReferenceCountUtil.release(out.remove(out.size() - 1));
        }
    }

    /** The reason a decoded request head frames its body ambiguously, or {@code null} if it is fine. */
    static String framingProblem(HttpRequest request) {
        HttpHeaders h = request.headers();
        List<String> lengths = h.getAll(HttpHeaderNames.CONTENT_LENGTH);
        List<String> codings = h.getAll(HttpHeaderNames.TRANSFER_ENCODING);
        if (lengths.size() > 1) {
            return "more than one Content-Length";
        }
        if (lengths.size() == 1) {
            String v = lengths.get(0);
            if (v.isEmpty() || v.length() > 18 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return "invalid Content-Length";
            }
        }
        if (!codings.isEmpty()) {
            if (!lengths.isEmpty()) {
                return "both Content-Length and Transfer-Encoding";
            }
            if (!request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
                return "Transfer-Encoding in an HTTP/1.0 request";
            }
            int chunked = 0;
            String last = null;
            for (String value : codings) {
                for (String coding : value.split(",", -1)) {
                    String c = coding.strip();
                    if (c.isEmpty()) {
                        return "invalid Transfer-Encoding";
                    }
                    if (c.equalsIgnoreCase("chunked")) {
                        chunked++;
                    }
                    last = c;
                }
            }
            if (chunked != 1 || !"chunked".equalsIgnoreCase(last)) {
                return "Transfer-Encoding must end with chunked, once";
            }
        }
        return null;
    }

    /** A request whose framing or syntax is refused; answered with 400. */
    static final class BadRequestException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadRequestException(String message) {
            super(message, null, false, false);
        }
    }
}
