package dev.strata.gateway.pool;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import dev.strata.gateway.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ConnectionPoolTest {

    EventLoopGroup group;
    EventLoop loop;
    Channel server;
    ChannelGroup accepted;
    ConnectionPool pool;

    @BeforeEach
    void setUp() throws Exception {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        loop = group.next();
        accepted = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new io.netty.channel.ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        accepted.add(ch);
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        Bootstrap template = new Bootstrap().channel(NioSocketChannel.class).option(ChannelOption.AUTO_READ, false)
                .handler(new io.netty.channel.ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // nothing: the pool needs no handler
                    }
                });
        pool = new ConnectionPool(loop, template, server.localAddress());
    }

    @AfterEach
    void tearDown() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private <T> T on(Callable<T> task) throws Exception {
        return loop.submit(task).get(5, TimeUnit.SECONDS);
    }

    final class Recorder implements ConnectionPool.Lease {
        final List<Object> events = new CopyOnWriteArrayList<>();
        volatile Channel channel;

        @Override
        public void acquired(Channel channel, boolean reused) {
            this.channel = channel;
            events.add(reused ? "reused" : "fresh");
        }

        @Override
        public void failed(Throwable cause) {
            events.add(cause);
        }
    }

    @Test
    void limitMakesAcquirersWaitForARelease() throws Exception {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        Recorder c = new Recorder();
        on(() -> {
            pool.acquire(a, 2, 2000, 60_000);
            pool.acquire(b, 2, 2000, 60_000);
            pool.acquire(c, 2, 2000, 60_000);
            return null;
        });
        Await.until(() -> a.channel != null && b.channel != null);
        assertThat(c.events).isEmpty();
        assertThat(on(pool::open)).isEqualTo(2);
        on(() -> {
            pool.release(a.channel, true);
            return null;
        });
        Await.until(() -> !c.events.isEmpty());
        assertThat(c.events).containsExactly("reused");
        assertThat(c.channel).isSameAs(a.channel);
        assertThat(on(pool::open)).isEqualTo(2);
    }

    @Test
    void waiterGivesUpAfterTheConnectTimeout() throws Exception {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        on(() -> {
            pool.acquire(a, 1, 200, 60_000);
            pool.acquire(b, 1, 200, 60_000);
            return null;
        });
        Await.until(() -> !b.events.isEmpty());
        assertThat(b.events.get(0)).isInstanceOf(ConnectionPool.PoolExhaustedException.class);
    }

    @Test
    void idleConnectionsAreReusedThenExpire() throws Exception {
        Recorder a = new Recorder();
        on(() -> {
            pool.acquire(a, 4, 2000, 200);
            return null;
        });
        Await.until(() -> a.channel != null);
        on(() -> {
            pool.release(a.channel, true);
            return null;
        });
        Recorder again = new Recorder();
        on(() -> {
            pool.acquire(again, 4, 2000, 200);
            return null;
        });
        assertThat(again.events).containsExactly("reused");
        on(() -> {
            pool.release(again.channel, true);
            return null;
        });
        Await.until(() -> {
            try {
                return on(pool::open) == 0;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(again.channel.isActive()).isFalse();
    }

    @Test
    void unusableConnectionsAreClosedAndServerClosesFreeTheirSlot() throws Exception {
        Recorder a = new Recorder();
        Recorder b = new Recorder();
        on(() -> {
            pool.acquire(a, 4, 2000, 60_000);
            pool.acquire(b, 4, 2000, 60_000);
            return null;
        });
        Await.until(() -> a.channel != null && b.channel != null);
        on(() -> {
            pool.release(a.channel, false);
            pool.release(b.channel, true);
            return null;
        });
        Await.until(() -> !a.channel.isActive());
        // the server closes the idle one: it leaves the pool
        Await.until(() -> accepted.size() == 2 || accepted.size() == 1);
        accepted.close().syncUninterruptibly();
        Await.until(() -> {
            try {
                return on(pool::open) == 0 && on(pool::idle) == 0;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }
}
