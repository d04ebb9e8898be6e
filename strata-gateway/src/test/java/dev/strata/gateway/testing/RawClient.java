package dev.strata.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.zip.CRC32;

/** A plain-socket HTTP/1.1 client that writes exactly the bytes it is given and parses responses. */
public final class RawClient implements AutoCloseable {

    public record Response(int status, List<String[]> headers, byte[] body, long bodyLength, long bodyCrc) {
        public String header(String name) {
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    return h[1];
                }
            }
            return null;
        }

        public List<String> headers(String name) {
            List<String> out = new ArrayList<>();
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    out.add(h[1]);
                }
            }
            return out;
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    public RawClient(InetSocketAddress address) throws IOException {
        socket = new Socket();
        socket.connect(address, 5000);
        socket.setSoTimeout(30_000);
        in = new java.io.BufferedInputStream(socket.getInputStream(), 64 * 1024);
        out = socket.getOutputStream();
    }

    public RawClient send(String text) throws IOException {
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return this;
    }

    public RawClient send(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
        return this;
    }

    public OutputStream output() {
        return out;
    }

    public Socket socket() {
        return socket;
    }

    /** Reads one response; bodies above 1 MiB are counted and checksummed, not kept. */
    public Response read() throws IOException {
        return read(false);
    }

    public Response read(boolean headRequest) throws IOException {
        String status = line();
        if (status == null) {
            throw new IOException("connection closed before a response");
        }
        String[] parts = status.split(" ", 3);
        int code = Integer.parseInt(parts[1]);
        List<String[]> headers = new ArrayList<>();
        String l;
        while (!(l = line()).isEmpty()) {
            int colon = l.indexOf(':');
            headers.add(new String[] {l.substring(0, colon).trim(), l.substring(colon + 1).trim()});
        }
        Response head = new Response(code, headers, new byte[0], 0, 0);
        if (code / 100 == 1) {
            return head;
        }
        Body body = new Body();
        String te = head.header("transfer-encoding");
        String cl = head.header("content-length");
        if (headRequest || code == 204 || code == 304) {
            // no body
        } else if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
            for (;;) {
                String size = line();
                int semi = size.indexOf(';');
                long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                if (n == 0) {
                    while (!line().isEmpty()) {
                        // trailers
                    }
                    break;
                }
                body.copy(in, n);
                line();
            }
        } else if (cl != null) {
            body.copy(in, Long.parseLong(cl));
        } else {
            body.copy(in, Long.MAX_VALUE);
        }
        return new Response(code, headers, body.kept.toByteArray(), body.length, body.crc.getValue());
    }

    /** Whether the server closed the connection (reads end-of-stream within the socket timeout). */
    public boolean closedByPeer() {
        try {
            socket.setSoTimeout(10_000);
            return in.read() < 0;
        } catch (IOException e) {
            return true;
        }
    }

    private String line() throws IOException {
        StringBuilder sb = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                int len = sb.length();
                if (len > 0 && sb.charAt(len - 1) == '\r') {
                    sb.setLength(len - 1);
                }
                return sb.toString();
            }
            sb.append((char) c);
        }
        return sb.isEmpty() ? null : sb.toString();
    }

    private static final class Body {
        final ByteArrayOutputStream kept = new ByteArrayOutputStream();
        final CRC32 crc = new CRC32();
        long length;

        void copy(InputStream in, long n) throws IOException {
            byte[] buf = new byte[64 * 1024];
            long left = n;
            while (left > 0) {
                int r = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (r < 0) {
                    if (n == Long.MAX_VALUE) {
                        return;
                    }
                    throw new IOException("body ended early: " + length + " of " + n);
                }
                crc.update(buf, 0, r);
                if (length < (1 << 20)) {
                    kept.write(buf, 0, r);
                }
                length += r;
                left -= r;
            }
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
