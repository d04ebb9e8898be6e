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
 *   hands each peer a batch per wake-up (HAProxy's loop, too, sends after its reads). Under load this
 *   cut the origin's and the client's context switches by more than half.</li>
 *   <li><b>Order.</b> Responses go to the clients first, requests to the upstreams second. A response
 *   sent ends a request's wait at once; a request sent a little later costs less, since its response
 *   is read in a later pass of the loop either way. Measured side by side (two sets of 8 runs, 64
 *   connections), clients first gave 8-9% more requests per second and a p99 0.2-1.0 ms lower than
 *   upstreams first.</li>
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

    /** Flushes {@code upstream} (a connection to an endpoint) at the end of this batch, after the clients. */
    void upstream(Channel upstream) {
        toUpstreams.add(upstream);
        schedule();
    }

    /** Flushes {@code client} (a client connection) at the end of this batch. */
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
                drain(toClients);
                drain(toUpstreams);
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
