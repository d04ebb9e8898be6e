package dev.strata.gateway;

import dev.strata.common.process.NodeProcess;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway as an OS process ({@code ./strata gateway --config FILE}): SIGHUP reloads the file, SIGTERM
 * (or a supervising parent that goes away) drains and stops, and the addresses are logged once it runs.
 *
 * <p>Design notes: the SIGHUP handler goes in before the listeners open, since the JVM's own answer to
 * SIGHUP is to exit and a client that sees the listener can already send one. A SIGHUP during the start
 * is kept and served once the gateway runs (whichever side sees both the gateway and the flag serves
 * it). The JVM keeps a signal ignored that was ignored when it started (as under {@code nohup}): the
 * handler never runs then, and the gateway says so.
 */
final class GatewayProcess {

    private static final Logger log = LoggerFactory.getLogger(Gateway.class); // the gateway's own lines

    private GatewayProcess() {}

    /** Starts from {@code configFile} and blocks until stopped (see {@link Gateway#run}). */
    static void run(Path configFile) throws InterruptedException {
        AtomicReference<Gateway> running = new AtomicReference<>();
        AtomicBoolean hupPending = new AtomicBoolean();
        try {
            sun.misc.SignalHandler previous = sun.misc.Signal.handle(new sun.misc.Signal("HUP"), sig -> {
                hupPending.set(true);
                Gateway started = running.get();
                if (started != null && hupPending.getAndSet(false)) {
                    started.reloadOnSignal();
                }
            });
            if (previous == sun.misc.SignalHandler.SIG_IGN) {
                log.warn("SIGHUP is ignored in this process (its parent ignored it, as nohup does): "
                        + "reload with POST /_strata/reload on the admin listener instead");
            }
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            log.debug("SIGHUP not available: {}", e.toString());
        }
        Gateway g = Gateway.start(configFile);
        running.set(g);
        if (hupPending.getAndSet(false)) {
            g.reloadOnSignal();
        }
        NodeProcess.serveUntilStopped("gateway", g::drainAndStop, () -> {
            g.config().listeners().forEach(l -> log.info("gateway listener {}: http://{}", l.name(),
                    hostPort(g.listenerAddress(l.name()))));
            log.info("gateway admin: http://{}", hostPort(g.adminAddress()));
        });
    }

    private static String hostPort(InetSocketAddress a) {
        String host = a.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
    }
}
