package dev.strata.gateway.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;

/**
 * A test origin on a loopback port: records every request it gets and answers by path.
 * <ul>
 *   <li>{@code /healthz}: 200</li>
 *   <li>{@code /bytes/N}: N bytes of a repeating pattern, chunked (or with length when {@code ?cl})</li>
 *   <li>{@code /sleep/MS}: answers after MS milliseconds</li>
 *   <li>{@code /status/CODE}: answers CODE</li>
 *   <li>{@code /hop}: answers with hop-by-hop headers (Connection naming X-Hop-Resp, Keep-Alive, Upgrade)</li>
 *   <li>{@code /held/N}: N pattern bytes, chunked: the first {@value #HELD_FIRST} at once, the rest only
 *   once the test calls {@link #releaseHeld()} (so a test knows the response is still under way)</li>
 *   <li>a path given to {@link #script}: what the script replies for the request (status, fields, body,
 *   chunked or with a length, or held in the middle as {@code /held/N} is)</li>
 *   <li>anything else: 200, body {@code "<name> <METHOD> <uri> <bodyLength> <bodyCrc>"}</li>
 * </ul>
 * Every response carries {@code X-Served-By: <name>}. {@link #delay} makes every answer but
 * {@code /healthz} wait, to stand for a slow endpoint.
 */
public final class Origin implements AutoCloseable {

    public record Seen(String method, String uri, Map<String, List<String>> headers, long bodyLength, long bodyCrc) {
        public String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name)) {
                    return String.join(",", e.getValue());
                }
            }
            return null;
        }
    }

    /**
     * A scripted answer: {@code fields} as name/value pairs; a body with its length, or chunked; when
     * {@code held}, half the body goes at once and the rest after {@link #releaseHeld()}.
     */
    public record Reply(int status, List<String> fields, byte[] body, boolean chunked, boolean held) {
        public static Reply of(int status, String body, String... fields) {
            return new Reply(status, List.of(fields), body.getBytes(StandardCharsets.UTF_8), false, false);
        }

        public Reply inChunks() {
            return new Reply(status, fields, body, true, held);
        }

        public Reply heldHalfway() {
            return new Reply(status, fields, body, true, true);
        }
    }

    private final Map<String, java.util.function.Function<Seen, Reply>> scripts = new java.util.concurrent.ConcurrentHashMap<>();
    private final String name;
    private final int fixedPort;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();
    private final AtomicInteger healthChecks = new AtomicInteger();
    private volatile long delayMillis;
    private volatile CountDownLatch held = new CountDownLatch(1);
    private final AtomicInteger heldStarted = new AtomicInteger();

    /** What {@code /held/N} sends before it waits for {@link #releaseHeld()}. */
    public static final int HELD_FIRST = 64 * 1024;
    private HttpServer server;
    private ExecutorService executor;

    public Origin(String name) throws IOException {
        this(name, 0);
    }

    public Origin(String name, int port) throws IOException {
        this.name = name;
        this.fixedPort = port;
        start();
    }

    public synchronized void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", server == null ? fixedPort : port()), 128);
        executor = Executors.newFixedThreadPool(16);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Stops abruptly: the listener and every connection close. */
    public synchronized void stop() {
        server.stop(0);
        executor.shutdownNow();
    }

    /** The name this origin gives in {@code X-Served-By}. */
    public String name() {
        return name;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String address() {
        return "127.0.0.1:" + port();
    }

    public List<Seen> seen() {
        return seen;
    }

    public int healthChecks() {
        return healthChecks.get();
    }

    /** Every later request but {@code /healthz} is answered {@code millis} after its body was read; 0 = none. */
    public void delay(long millis) {
        this.delayMillis = millis;
    }

    /** Requests for {@code path} (without the query) are answered by {@code script} from now on. */
    public void script(String path, java.util.function.Function<Seen, Reply> script) {
        scripts.put(path, script);
    }

    /** Forgets every script. */
    public void clearScripts() {
        scripts.clear();
    }

    /** How many requests for {@code path} (without the query) this origin has seen. */
    public long seen(String path) {
        return seen.stream().filter(s -> s.uri().equals(path) || s.uri().startsWith(path + "?")).count();
    }

    /** Lets every {@code /held/N} response that waits send the rest; later ones wait for the next call. */
    public void releaseHeld() {
        CountDownLatch l = held;
        held = new CountDownLatch(1);
        l.countDown();
    }

    /** How many {@code /held/N} responses have sent their first part. */
    public int heldStarted() {
        return heldStarted.get();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String path = x.getRequestURI().getRawPath();
            if (path.equals("/healthz")) {
                healthChecks.incrementAndGet();
                x.getRequestBody().readAllBytes();
                x.getResponseHeaders().set("X-Served-By", name);
                x.sendResponseHeaders(200, -1);
                return;
            }
            CRC32 crc = new CRC32();
            long n = 0;
            byte[] buf = new byte[64 * 1024];
            try (InputStream in = x.getRequestBody()) {
                int r;
                while ((r = in.read(buf)) > 0) {
                    crc.update(buf, 0, r);
                    n += r;
                }
            }
            Seen request = new Seen(x.getRequestMethod(), x.getRequestURI().toString(), Map.copyOf(x.getRequestHeaders()),
                    n, crc.getValue());
            seen.add(request);
            x.getResponseHeaders().set("X-Served-By", name);
            long delay = delayMillis;
            if (delay > 0) {
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    return;
                }
            }
            java.util.function.Function<Seen, Reply> script = scripts.get(path);
            if (script != null) {
                reply(x, script.apply(request));
                return;
            }
            if (path.startsWith("/bytes/")) {
                long size = Long.parseLong(path.substring(7));
                boolean cl = "cl".equals(x.getRequestURI().getQuery());
                x.sendResponseHeaders(200, cl ? size : 0);
                try (OutputStream out = x.getResponseBody()) {
                    Patterns.write(out, size);
                }
                return;
            }
            if (path.startsWith("/held/")) {
                long size = Long.parseLong(path.substring(6));
                CountDownLatch release = held;
                x.sendResponseHeaders(200, 0);
                try (OutputStream out = x.getResponseBody(); InputStream rest = Patterns.stream(size)) {
                    byte[] first = rest.readNBytes((int) Math.min(size, HELD_FIRST));
                    out.write(first);
                    out.flush();
                    heldStarted.incrementAndGet();
                    if (!release.await(20, TimeUnit.SECONDS)) {
                        return;
                    }
                    rest.transferTo(out);
                } catch (InterruptedException e) {
                    return;
                }
                return;
            }
            if (path.startsWith("/sleep/")) {
                try {
                    Thread.sleep(Long.parseLong(path.substring(7)));
                } catch (InterruptedException e) {
                    return;
                }
            }
            if (path.equals("/hop")) {
                x.getResponseHeaders().set("Connection", "X-Hop-Resp");
                x.getResponseHeaders().set("X-Hop-Resp", "1");
                x.getResponseHeaders().set("Keep-Alive", "timeout=5");
                x.getResponseHeaders().set("Upgrade", "h2c");
                x.getResponseHeaders().set("X-Kept", "1");
            }
            int status = path.startsWith("/status/") ? Integer.parseInt(path.substring(8)) : 200;
            byte[] body = (name + " " + x.getRequestMethod() + " " + x.getRequestURI() + " " + n + " " + crc.getValue())
                    .getBytes(StandardCharsets.UTF_8);
            if (x.getRequestMethod().equals("HEAD")) {
                x.sendResponseHeaders(status, -1);
                return;
            }
            x.sendResponseHeaders(status, body.length);
            x.getResponseBody().write(body);
        }
    }

    private void reply(HttpExchange x, Reply r) throws IOException {
        for (int i = 0; i < r.fields().size(); i += 2) {
            x.getResponseHeaders().add(r.fields().get(i), r.fields().get(i + 1));
        }
        boolean bodiless = x.getRequestMethod().equals("HEAD") || r.status() == 304 || r.status() == 204;
        if (bodiless) {
            x.sendResponseHeaders(r.status(), -1);
            return;
        }
        x.sendResponseHeaders(r.status(), r.chunked() ? 0 : (r.body().length == 0 ? -1 : r.body().length));
        if (r.body().length == 0) {
            return;
        }
        OutputStream out = x.getResponseBody();
        if (!r.held()) {
            out.write(r.body());
            return;
        }
        CountDownLatch release = held;
        int half = r.body().length / 2;
        out.write(r.body(), 0, half);
        out.flush();
        heldStarted.incrementAndGet();
        try {
            if (!release.await(20, TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            return;
        }
        out.write(r.body(), half, r.body().length - half);
    }

    @Override
    public void close() {
        stop();
    }
}
