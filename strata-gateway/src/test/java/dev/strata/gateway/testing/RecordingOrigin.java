package dev.strata.gateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A test origin on plain sockets that keeps every request exactly as the bytes it received (head, body
 * framing, chunk lines, trailers) and answers each with {@code 200}, body {@code ok}. It frames requests
 * itself (Content-Length, or chunked when Transfer-Encoding names it last), so a test sees what the
 * gateway actually wrote, not what an HTTP library made of it.
 */
public final class RecordingOrigin implements AutoCloseable {

    private static final byte[] OK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.ISO_8859_1);

    private final ServerSocket server;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    public RecordingOrigin() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    Thread.ofVirtual().start(() -> serve(s));
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    public String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** Each request received so far, as its raw bytes (ISO-8859-1 text), in order. */
    public List<String> requests() {
        return requests;
    }

    /** The last request received, or {@code null}. */
    public String last() {
        return requests.isEmpty() ? null : requests.get(requests.size() - 1);
    }

    /** The head of the last request (up to and with its empty line). */
    public String lastHead() {
        String r = last();
        return r == null ? null : r.substring(0, r.indexOf("\r\n\r\n") + 4);
    }

    private void serve(Socket s) {
        try (s; InputStream in = new java.io.BufferedInputStream(s.getInputStream()); OutputStream out = s.getOutputStream()) {
            for (;;) {
                ByteArrayOutputStream raw = new ByteArrayOutputStream();
                String head = readUntil(in, raw, "\r\n\r\n");
                if (head == null) {
                    return;
                }
                String lower = head.toLowerCase(Locale.ROOT);
                String te = field(lower, "transfer-encoding");
                String cl = field(lower, "content-length");
                if (te != null && te.trim().endsWith("chunked")) {
                    for (;;) {
                        String line = readUntil(in, raw, "\r\n");
                        if (line == null) {
                            return;
                        }
                        String size = line.substring(0, line.length() - 2);
                        int semi = size.indexOf(';');
                        long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                        if (n == 0) {
                            for (;;) {
                                String t = readUntil(in, raw, "\r\n");
                                if (t == null) {
                                    return;
                                }
                                if (t.equals("\r\n")) {
                                    break;
                                }
                            }
                            break;
                        }
                        copy(in, raw, n + 2);
                    }
                } else if (cl != null) {
                    copy(in, raw, Long.parseLong(cl.trim()));
                }
                requests.add(raw.toString(StandardCharsets.ISO_8859_1));
                out.write(OK);
                out.flush();
            }
        } catch (IOException e) {
            // the gateway went away
        }
    }

    private static String field(String lowerHead, String name) {
        int i = lowerHead.indexOf("\r\n" + name + ":");
        if (i < 0) {
            return null;
        }
        int s = i + name.length() + 3;
        return lowerHead.substring(s, lowerHead.indexOf("\r\n", s));
    }

    /** Reads to and with {@code end}; returns what was read since the call began, or null at end-of-stream. */
    private static String readUntil(InputStream in, ByteArrayOutputStream raw, String end) throws IOException {
        StringBuilder b = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0) {
            raw.write(c);
            b.append((char) c);
            if (b.length() >= end.length() && b.substring(b.length() - end.length()).equals(end)) {
                return b.toString();
            }
        }
        return null;
    }

    private static void copy(InputStream in, ByteArrayOutputStream raw, long n) throws IOException {
        for (long i = 0; i < n; i++) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("body ended early");
            }
            raw.write(c);
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
