package dev.strata.gateway.filter;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * A request a filter sends through this gateway's own request path, as a client would, for work no
 * client waits for (a cache revalidating a stored response in the background): routing, balancing,
 * health, retries and the route's filters all apply, and its response is read and dropped. It goes to
 * the first listener, on a virtual thread of its own, and takes at most {@link #TIMEOUT_MILLIS}.
 */
public final class Loopback {

    /** The longest a loopback request may take, connect to last byte. */
    public static final int TIMEOUT_MILLIS = 30_000;

    private static final Loopback NONE = new Loopback(() -> null);

    private final Supplier<InetSocketAddress> address;

    /** Sends to where {@code address} says the gateway listens now ({@code null}: nowhere yet). */
    public Loopback(Supplier<InetSocketAddress> address) {
        this.address = address;
    }

    /** A loopback that sends nothing (the warm-up's): every request completes with 0 at once. */
    public static Loopback none() {
        return NONE;
    }

    /**
     * Sends {@code GET target} with {@code Host: host} and {@code fields} (name/value pairs, checked as
     * {@link HeaderEdits} checks them); completes with the response's status, 0 when there was no
     * answer (no listener, a failure, the timeout).
     */
    public CompletionStage<Integer> get(String host, String target, List<String> fields) {
        HeaderEdits check = new HeaderEdits();
        for (int i = 0; i < fields.size(); i += 2) {
            check.add(fields.get(i), fields.get(i + 1));
        }
        if (target.isEmpty() || target.charAt(0) != '/' || target.chars().anyMatch(c -> c <= ' ' || c >= 0x7f)) {
            throw new IllegalArgumentException("target: " + target + " (expected: an origin-form target)");
        }
        check.set("Host", host == null ? "localhost" : host);
        InetSocketAddress to = address.get();
        CompletableFuture<Integer> done = new CompletableFuture<>();
        if (to == null) {
            done.complete(0);
            return done;
        }
        StringBuilder head = new StringBuilder("GET ").append(target).append(" HTTP/1.1\r\n");
        List<String> all = check.added();
        for (int i = 0; i < all.size(); i += 2) {
            head.append(all.get(i)).append(": ").append(all.get(i + 1)).append("\r\n");
        }
        head.append("Connection: close\r\n\r\n");
        InetSocketAddress target0 = to.getAddress().isAnyLocalAddress()
                ? new InetSocketAddress("127.0.0.1", to.getPort()) : to;
        Thread.ofVirtual().name("loopback").start(() -> done.complete(send(target0, head.toString())));
        return done;
    }

    private static int send(InetSocketAddress to, String head) {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        try (Socket s = new Socket()) {
            s.connect(to, TIMEOUT_MILLIS);
            s.setSoTimeout(TIMEOUT_MILLIS);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            int n = in.read(buf);
            if (n < 12) {
                return 0;
            }
            String line = new String(buf, 0, Math.min(n, 12), StandardCharsets.ISO_8859_1);
            int status = line.startsWith("HTTP/1.") ? Integer.parseInt(line.substring(9, 12)) : 0;
            while (in.read(buf) >= 0) {
                if (System.currentTimeMillis() > deadline) {
                    break;
                }
            }
            return status;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
