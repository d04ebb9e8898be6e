package dev.strata.gateway.proxy;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.util.ArrayList;

/**
 * The flushes of one event loop's I/O batch, done together once the batch is read.
 *
 * <h2>Design notes</h2>
 * <ul>
 *   <li><b>Why.</b> One wake-up of the event loop reads every connection that has data. Flushing each
 *   forwarded message as it is read spreads the sends over the whole batch, and every send wakes the
 *   process at the other end for one message, again and again. Flushing them all after the reads
 *   hands each peer a batch per wake-up (HAProxy's loop works the same way). Under load this cut the
 *   origin's and the client's context switches by more than half and the tail latency with them.</li>
 *   <li><b>Order.</b> Requests go to the upstreams first, responses to the clients second: an upstream
 *   can start on its requests while the responses are being sent.</li>
 *   <li><b>When.</b> The batch runs as a task of the loop, and a loop runs its tasks right after the I/O
 *   it has just processed, before it waits again. Only the hot path of proxying defers its flushes
 *   here; whatever closes a channel flushes first, since closing drops what is not flushed.</li>
 *   <li><b>Threading.</b> One per event loop, used only on it. A flush can start the next request of
 *   a connection (its listener finishes an exchange), which can add to the batch while it runs; the
 *   loop drains until both lists are empty.</li>
 * </ul>
 */
final class FlushBatch implements Runnable {

    private final EventLoop loop;
    private final ArrayList<Channel> toUpstreams = new ArrayList<>();
    private final ArrayList<Channel> toClients = new ArrayList<>();
    private boolean scheduled;

    FlushBatch(EventLoop loop) {
        this.loop = loop;
    }

    /** Flushes {@code upstream} (a connection to an endpoint) at the end of this batch. */
    void upstream(Channel upstream) {
        toUpstreams.add(upstream);
        schedule();
    }

    /** Flushes {@code client} (a client connection) at the end of this batch, after the upstreams. */
    void client(Channel client) {
        toClients.add(client);
        schedule();
    }

    private void schedule() {
        if (!scheduled) {
            scheduled = true;
            loop.execute(this);
        }
    }

    @Override
    public void run() {
        try {
            while (!toUpstreams.isEmpty() || !toClients.isEmpty()) {
                drain(toUpstreams);
                drain(toClients);
            }
        } finally {
            scheduled = false;
        }
    }

    private static void drain(ArrayList<Channel> channels) {
        // index loop: a flush may append to this very list
        for (int i = 0; i < channels.size(); i++) {
            channels.get(i).flush();
        }
        channels.clear();
    }
}
