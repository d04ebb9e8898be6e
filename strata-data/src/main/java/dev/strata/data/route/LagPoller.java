package dev.strata.data.route;

import dev.strata.data.DataConfig;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/*
 * Design notes
 *
 * A replica's lag is how long ago the primary passed the position the replica has
 * replayed: this poller keeps the primary's polled positions with their times and looks up the
 * first one beyond the replica's. pg_last_xact_replay_timestamp() gives a second bound (now minus
 * the commit time of the last replayed transaction), which is exact under a steady write load but
 * far too large after an idle spell; the smaller of the two is the lag. A replica that has replayed
 * the primary's last polled position has no lag.
 *
 * Each node is polled by one task of this pool (fixed delay, so polls of one node never overlap): a
 * node's poll fields have one writer, and routing reads them without locks.
 */
/** Polls the primary's position and each replica's replay position and lag, every {@code routing.poll_interval}. */
final class LagPoller implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(DatabaseRouter.class); // the router's own log, as before
    private static final int HISTORY = 1024;

    private final DataConfig config;
    private final DbNode primary;
    private final List<DbNode> replicas;
    private final ScheduledExecutorService poller;
    /** The primary's polled positions as {nanoTime, position}; guarded by itself. */
    private final Deque<long[]> primaryHistory = new ArrayDeque<>();
    /** Set once the first polls are done: changes after it are logged. */
    private volatile boolean polling;

    LagPoller(DataConfig config, DbNode primary, List<DbNode> replicas) {
        this.config = config;
        this.primary = primary;
        this.replicas = replicas;
        this.poller = Executors.newScheduledThreadPool(1 + replicas.size(),
                Thread.ofPlatform().daemon().name("strata-db-poll-", 0).factory());
    }

    /** Polls every node once, here, then on the schedule; changes after the first polls are logged. */
    void start() {
        pollPrimary();
        replicas.forEach(this::pollReplica);
        polling = true;
        long every = config.routing().pollInterval().toMillis();
        poller.scheduleWithFixedDelay(this::pollPrimary, every, every, TimeUnit.MILLISECONDS);
        for (DbNode r : replicas) {
            poller.scheduleWithFixedDelay(() -> pollReplica(r), every, every, TimeUnit.MILLISECONDS);
        }
    }

    private void pollPrimary() {
        boolean was = primary.reachable;
        if (primary.poll()) {
            synchronized (primaryHistory) {
                long[] last = primaryHistory.peekLast();
                // only changes matter for the lookup: the first sample past a position tells when it was passed
                if (last == null || last[1] != primary.position.value()) {
                    primaryHistory.addLast(new long[] {System.nanoTime(), primary.position.value()});
                    if (primaryHistory.size() > HISTORY) {
                        primaryHistory.removeFirst();
                    }
                }
            }
        }
        if (polling && was != primary.reachable) {
            LOG.warn("primary at {} is {}", primary.address(), primary.reachable ? "back: writes resume" : "down: read-only");
        }
    }

    private void pollReplica(DbNode r) {
        boolean was = r.reachable;
        if (r.poll()) {
            long now = System.nanoTime();
            WalPosition replayed = r.position;
            long passedAt = -1;
            long primaryAt;
            synchronized (primaryHistory) {
                primaryAt = primaryHistory.isEmpty() ? 0 : primaryHistory.peekLast()[1];
                for (long[] sample : primaryHistory) {
                    if (Long.compareUnsigned(sample[1], replayed.value()) > 0) {
                        passedAt = sample[0];
                        break;
                    }
                }
            }
            long bytes = new WalPosition(primaryAt).bytesAfter(replayed);
            long millis = 0;
            if (bytes > 0) {
                millis = passedAt < 0 ? 0 : TimeUnit.NANOSECONDS.toMillis(now - passedAt);
                if (r.lastReplayedCommitMillis > 0) {
                    millis = Math.min(millis, Math.max(0, System.currentTimeMillis() - r.lastReplayedCommitMillis));
                }
            }
            r.lagBytes = bytes;
            r.lagMillis = millis;
        } else {
            r.lagBytes = Long.MAX_VALUE;
            r.lagMillis = Long.MAX_VALUE;
        }
        if (polling && was != r.reachable) {
            LOG.info("{} at {} is {}", r.name, r.address(), r.reachable ? "up" : "down");
        }
    }

    @Override
    public void close() {
        poller.shutdownNow();
        try {
            poller.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
