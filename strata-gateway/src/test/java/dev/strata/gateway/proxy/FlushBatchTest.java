package dev.strata.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.testing.Buffers;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What one pass of the event loop forwards leaves in one batch: clients first, then upstreams. */
class FlushBatchTest {

    private final List<String> flushes = new ArrayList<>();

    /** A channel that records its flushes by name; {@code onFlush} runs after each. */
    private EmbeddedChannel channel(String name, Runnable onFlush) {
        return new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(ChannelHandlerContext ctx) {
                flushes.add(name);
                ctx.flush();
                onFlush.run();
            }
        });
    }

    private static ByteBuf bytes(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.ISO_8859_1);
    }

    private static String sent(EmbeddedChannel ch) {
        ByteBuf b = ch.readOutbound();
        return b == null ? null : Buffers.text(b);
    }

    @Test
    void writesWaitForTheEndOfThePassAndClientsGoFirst() {
        EmbeddedChannel loop = new EmbeddedChannel();
        FlushBatch batch = new FlushBatch(loop.eventLoop());
        EmbeddedChannel client = channel("client", () -> { });
        EmbeddedChannel upstream = channel("upstream", () -> { });

        upstream.write(bytes("GET / HTTP/1.1\r\n\r\n"));
        batch.upstream(upstream);
        client.write(bytes("HTTP/1.1 200 OK\r\n\r\n"));
        batch.client(client);

        assertThat(sent(client)).isNull();
        assertThat(sent(upstream)).isNull();

        loop.runPendingTasks();

        assertThat(flushes).containsExactly("client", "upstream");
        assertThat(sent(upstream)).isEqualTo("GET / HTTP/1.1\r\n\r\n");
        assertThat(sent(client)).isEqualTo("HTTP/1.1 200 OK\r\n\r\n");
    }

    @Test
    void whatAFlushAddsGoesOutInTheSamePass() {
        EmbeddedChannel loop = new EmbeddedChannel();
        FlushBatch batch = new FlushBatch(loop.eventLoop());
        EmbeddedChannel other = channel("other client", () -> { });
        // an upstream flush that leads to another client's response, after the clients were flushed
        EmbeddedChannel nextUpstream = channel("next upstream", () -> {
            other.write(bytes("HTTP/1.1 204 No Content\r\n\r\n"));
            batch.client(other);
        });
        // a response's flush finishes its exchange, and the client's next request goes upstream
        EmbeddedChannel client = channel("client", () -> {
            if (flushes.size() == 1) {
                nextUpstream.write(bytes("GET /next HTTP/1.1\r\n\r\n"));
                batch.upstream(nextUpstream);
            }
        });

        client.write(bytes("HTTP/1.1 200 OK\r\n\r\n"));
        batch.client(client);
        loop.runPendingTasks();

        assertThat(flushes).containsExactly("client", "next upstream", "other client");
        assertThat(sent(nextUpstream)).isEqualTo("GET /next HTTP/1.1\r\n\r\n");
        assertThat(sent(other)).isEqualTo("HTTP/1.1 204 No Content\r\n\r\n");

        // and the batch is ready for the next pass
        client.write(bytes("HTTP/1.1 304 Not Modified\r\n\r\n"));
        batch.client(client);
        loop.runPendingTasks();
        assertThat(sent(client)).isEqualTo("HTTP/1.1 200 OK\r\n\r\n");
        assertThat(sent(client)).isEqualTo("HTTP/1.1 304 Not Modified\r\n\r\n");
    }
}
