package dev.strata.gateway.proxy;

import dev.strata.gateway.filter.BodyStream;
import dev.strata.gateway.filter.HeaderEdits;
import dev.strata.gateway.filter.LocalResponse;
import dev.strata.gateway.filter.ResponseView;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.DateFormatter;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Locale;

/**
 * The head of a response the gateway gives itself, as bytes: status line, the response's fields with the
 * client edits applied, {@code Date} (the response's own when it has one: a stored response's), {@code X-Served-By}, the framing ({@code Content-Length}, or
 * chunked for a body of unknown length), {@code Connection}. Fields that frame or are hop-by-hop are the
 * writer's alone: a response's or an edit's own are dropped.
 */
final class LocalResponses {

    private static final ThreadLocal<long[]> DATE_SECOND = ThreadLocal.withInitial(() -> new long[] {-1});
    private static final ThreadLocal<String[]> DATE_TEXT = ThreadLocal.withInitial(() -> new String[1]);

    private LocalResponses() {}

    /**
     * The head of {@code r}.
     *
     * @param bodyLength the body's length, or -1 when unknown (then chunked for HTTP/1.1 clients; an
     *                   HTTP/1.0 client reads to the close, which {@code close} must then be)
     */
    static ByteBuf head(ByteBufAllocator alloc, LocalResponse r, HeaderEdits edits, long bodyLength, boolean close,
                        boolean http11Client, String servedBy) {
        StringBuilder h = new StringBuilder(256)
                .append("HTTP/1.1 ").append(r.status()).append(' ').append(reason(r.status())).append("\r\n");
        List<String> fields = r.fields();
        boolean dated = false;
        for (int i = 0; i < fields.size(); i += 2) {
            String name = fields.get(i);
            boolean date = name.equalsIgnoreCase("date");
            if ((!date && reserved(name)) || (edits != null && edits.drops(name.toLowerCase(Locale.ROOT)))) {
                continue;
            }
            if (date) {
                if (dated) {
                    continue;
                }
                dated = true; // a stored response's own Date stays (its Age tells the rest)
            }
            h.append(name).append(": ").append(fields.get(i + 1)).append("\r\n");
        }
        if (edits != null) {
            List<String> added = edits.added();
            for (int i = 0; i < added.size(); i += 2) {
                if (!reserved(added.get(i))) {
                    h.append(added.get(i)).append(": ").append(added.get(i + 1)).append("\r\n");
                }
            }
        }
        if (!dated) {
            h.append("Date: ").append(date()).append("\r\n");
        }
        if (servedBy != null) {
            h.append("X-Served-By: ").append(servedBy).append("\r\n");
        }
        if (r.status() == 204 || r.status() == 304) {
            // RFC 9110 §8.6: no length of a body these never have
        } else if (bodyLength >= 0) {
            h.append("Content-Length: ").append(bodyLength).append("\r\n");
        } else if (http11Client) {
            h.append("Transfer-Encoding: chunked\r\n");
        }
        if (close) {
            h.append("Connection: close\r\n");
        } else if (!http11Client) {
            h.append("Connection: keep-alive\r\n");
        }
        h.append("\r\n");
        byte[] bytes = h.toString().getBytes(StandardCharsets.ISO_8859_1);
        return alloc.directBuffer(bytes.length + (int) Math.min(Math.max(bodyLength, 0), 4096)).writeBytes(bytes);
    }

    /** RFC 9110's reason phrase of {@code status} (Netty's, where RFC 9110 renamed it). */
    static String reason(int status) {
        return switch (status) {
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 422 -> "Unprocessable Content";
            default -> HttpResponseStatus.valueOf(status).reasonPhrase();
        };
    }

    private static boolean reserved(String name) {
        byte[] b = name.getBytes(StandardCharsets.ISO_8859_1);
        byte kind = FieldKind.of(b, 0, b.length);
        return kind == FieldKind.CONTENT_LENGTH || FieldKind.hopByHop(kind)
                || name.equalsIgnoreCase("date") || name.equalsIgnoreCase("x-served-by");
    }

    /** The IMF-fixdate of now, made at most once a second per thread. */
    static String date() {
        long now = System.currentTimeMillis();
        long second = now / 1000;
        long[] cached = DATE_SECOND.get();
        String[] text = DATE_TEXT.get();
        if (cached[0] != second) {
            cached[0] = second;
            text[0] = DateFormatter.format(new Date(second * 1000));
        }
        return text[0];
    }

    /** A local response as filters see it. */
    static ResponseView view(LocalResponse r) {
        return new ResponseView() {
            @Override
            public int status() {
                return r.status();
            }

            @Override
            public String header(String name) {
                return r.header(name);
            }

            @Override
            public List<String> headers(String name) {
                return FieldPairs.all(r.fields(), name);
            }

            @Override
            public List<String> fields() {
                return r.fields();
            }

            @Override
            public boolean local() {
                return true;
            }

            @Override
            public ResponseView copy() {
                return this; // a local response is immutable
            }
        };
    }

    /** The body of a streamed local response written while the client takes it (see {@link Exchange}). */
    static final class Streamer {
        private final BodyStream stream;
        private final boolean chunked;
        private boolean failed;

        Streamer(BodyStream stream, boolean chunked) {
            this.stream = stream;
            this.chunked = chunked;
        }

        /**
         * Writes pieces while {@code ctx} is writable, each shown first to {@code observers} (may be
         * {@code null}); returns the bytes written, or -1 - bytes when the body ended (its end written too).
         */
        long pump(io.netty.channel.ChannelHandlerContext ctx, FilterRun observers) {
            long n = 0;
            while (ctx.channel().isWritable()) {
                if (!stream.ready()) {
                    return n; // the stream wakes the writer when it has more
                }
                ByteBuf piece;
                try {
                    piece = stream.next(ctx.alloc());
                } catch (RuntimeException e) {
                    failed = true;
                    return n;
                }
                if (piece != null && observers != null) {
                    observers.responseBody(piece);
                }
                if (piece == null) {
                    if (chunked) {
                        ctx.write(Wire.end(ctx.alloc(), BodyEnd.EMPTY, true), ctx.voidPromise());
                    }
                    return -1 - n;
                }
                n += piece.readableBytes();
                Wire.writeBody(ctx, ctx.alloc(), piece, chunked);
            }
            return n;
        }

        /** Whether the stream failed: the body cannot be completed. */
        boolean failed() {
            return failed;
        }

        BodyStream stream() {
            return stream;
        }

        void close() {
            stream.close();
        }
    }
}
