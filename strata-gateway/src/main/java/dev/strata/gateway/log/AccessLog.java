package dev.strata.gateway.log;

import dev.strata.gateway.config.AccessLogConfig;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per request, formatted on the event loop and written by a background thread through a
 * bounded queue: the event loop never blocks on disk. When the queue is full the line is dropped and
 * counted ({@code strata_access_log_dropped_total}).
 */
public final class AccessLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
    private static final DateTimeFormatter CLF = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT)
            .withZone(ZoneOffset.UTC);

    /**
     * What one request left behind.
     *
     * @param fields what the route's filters added, as name/value pairs ({@code null}: nothing)
     */
    public record Entry(String remote, long startMillis, String method, String uri, String protocol, int status,
                        long bytesSent, String referer, String userAgent, String route, String endpoint,
                        long durationNanos, int attempts, List<String> fields) {}

    private final boolean json;
    private final BlockingQueue<String> queue;
    private final Thread writer;
    private final Runnable onDrop;
    private volatile boolean closed;

    private AccessLog(AccessLogConfig config, Runnable onDrop) {
        this.json = "json".equals(config.format());
        this.queue = new ArrayBlockingQueue<>(config.queueSize());
        this.onDrop = onDrop;
        Writer out;
        try {
            out = config.path().isEmpty()
                    ? new OutputStreamWriter(System.out, StandardCharsets.UTF_8)
                    : Files.newBufferedWriter(Path.of(config.path()), StandardCharsets.UTF_8,
                            StandardOpenOption.CREATE, StandardOpenOption.APPEND, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new IllegalArgumentException("access_log.path: " + config.path() + " (" + e.getMessage() + ")", e);
        }
        Writer w = new BufferedWriter(out, 64 * 1024);
        this.writer = new Thread(() -> drain(w), "strata-access-log");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /** An access log for {@code config}, or {@code null} when it is disabled. */
    public static AccessLog open(AccessLogConfig config, Runnable onDrop) {
        return config.enabled() ? new AccessLog(config, onDrop) : null;
    }

    public void log(Entry e) {
        String line = json ? json(e) : text(e);
        if (!queue.offer(line)) {
            onDrop.run();
        }
    }

    static String text(Entry e) {
        StringBuilder sb = new StringBuilder(192);
        sb.append(e.remote()).append(" - - [").append(CLF.format(Instant.ofEpochMilli(e.startMillis()))).append("] \"")
                .append(e.method()).append(' ').append(e.uri()).append(' ').append(e.protocol()).append("\" ")
                .append(e.status()).append(' ').append(e.bytesSent()).append(" \"")
                .append(e.referer() == null ? "-" : e.referer()).append("\" \"")
                .append(e.userAgent() == null ? "-" : e.userAgent()).append("\" ")
                .append(e.route() == null ? "-" : e.route()).append(' ')
                .append(e.endpoint() == null ? "-" : e.endpoint()).append(' ')
                .append(e.durationNanos() / 1000).append("us");
        List<String> fields = e.fields();
        if (fields != null) {
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                sb.append(' ').append(fields.get(i)).append('=').append(fields.get(i + 1) == null ? "-" : fields.get(i + 1));
            }
        }
        return sb.toString();
    }

    static String json(Entry e) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("{\"time\":\"").append(Instant.ofEpochMilli(e.startMillis())).append('"');
        field(sb, "remote", e.remote());
        field(sb, "method", e.method());
        field(sb, "uri", e.uri());
        field(sb, "protocol", e.protocol());
        sb.append(",\"status\":").append(e.status());
        sb.append(",\"bytes_sent\":").append(e.bytesSent());
        field(sb, "referer", e.referer());
        field(sb, "user_agent", e.userAgent());
        field(sb, "route", e.route());
        field(sb, "endpoint", e.endpoint());
        sb.append(",\"duration_us\":").append(e.durationNanos() / 1000);
        sb.append(",\"attempts\":").append(e.attempts());
        List<String> fields = e.fields();
        if (fields != null) {
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                field(sb, fields.get(i), fields.get(i + 1));
            }
        }
        sb.append('}');
        return sb.toString();
    }

    private static void field(StringBuilder sb, String name, String value) {
        sb.append(",\"").append(name).append("\":");
        if (value == null) {
            sb.append("null");
            return;
        }
        sb.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private void drain(Writer w) {
        List<String> batch = new ArrayList<>(256);
        try {
            while (!closed || !queue.isEmpty()) {
                String first = queue.poll(200, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                queue.drainTo(batch, 1023);
                for (String line : batch) {
                    w.write(line);
                    w.write('\n');
                }
                batch.clear();
                w.flush();
            }
            w.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.warn("access log write failed; access logging stops: {}", e.toString());
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            writer.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
