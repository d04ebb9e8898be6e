package dev.strata.redis.internal;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** One {@code PING} over RESP on a fresh connection: what a server that is ready answers {@code +PONG}. */
public final class Ping {

    private static final byte[] PING = "*1\r\n$4\r\nPING\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] INFO_SERVER = "*2\r\n$4\r\nINFO\r\n$6\r\nserver\r\n".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_REPLY = 256;
    private static final int MAX_INFO = 64 * 1024;

    private Ping() {}

    /**
     * The server's first reply line ({@code +PONG} when ready, {@code -LOADING ...} while it loads its
     * data), or the reason there was none.
     */
    public static String send(String host, int port, int timeoutMillis) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            s.getOutputStream().write(PING);
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\r' && line.length() < MAX_REPLY) {
                line.append((char) c);
            }
            return line.toString();
        } catch (IOException e) {
            return "(" + e.getMessage() + ")";
        }
    }

    /**
     * The {@code process_id} that the server on {@code host:port} reports in {@code INFO server}, or -1
     * (none answers, or not as a Redis would): tells our server from another one on the same port.
     */
    public static long serverPid(String host, int port, int timeoutMillis) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            s.getOutputStream().write(INFO_SERVER);
            InputStream in = s.getInputStream();
            String header = line(in);
            if (!header.startsWith("$")) {
                return -1;
            }
            int length = Integer.parseInt(header.substring(1));
            if (length < 0 || length > MAX_INFO) {
                return -1;
            }
            String info = new String(in.readNBytes(length), StandardCharsets.US_ASCII);
            for (String field : info.split("\r\n")) {
                if (field.startsWith("process_id:")) {
                    return Long.parseLong(field.substring("process_id:".length()).strip());
                }
            }
            return -1;
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) >= 0 && c != '\r' && line.length() < MAX_REPLY) {
            line.append((char) c);
        }
        in.read(); // the \n
        return line.toString();
    }

    /** Whether {@link #send} got {@code +PONG}. */
    public static boolean pong(String host, int port, int timeoutMillis) {
        return "+PONG".equals(send(host, port, timeoutMillis));
    }
}
