package dev.strata.gateway.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.config.GatewayConfig;
import dev.strata.gateway.filter.FilterStates;
import dev.strata.gateway.filter.builtin.BuiltInFilters;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.upstream.Upstreams;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The client's address as filters and request keys see it: the peer, or behind trusted proxies the first untrusted hop. */
class ForwardedForTest {

    private static final GatewayConfig CONFIG = Configs.gateway("""
              forwarding: {trusted_proxies: [10.0.0.0/8, "fd00::/8"]}
            """, "127.0.0.1:9");
    private static final Snapshot SNAPSHOT = Snapshot.of(CONFIG, Upstreams.empty(), Snapshot.chains(CONFIG,
            BuiltInFilters.types(), new FilterStates(new SimpleMeterRegistry()).builder(), false));

    private static String client(String peer, String... xff) {
        StringBuilder h = new StringBuilder("GET / HTTP/1.1\r\nHost: a\r\n");
        for (String v : xff) {
            h.append("X-Forwarded-For: ").append(v).append("\r\n");
        }
        EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder(() -> CONFIG.limits(), null));
        ch.writeInbound(Unpooled.copiedBuffer(h.append("\r\n").toString(), StandardCharsets.ISO_8859_1));
        RequestHead head = ch.readInbound();
        ch.finishAndReleaseAll();
        head.arrivedFrom(ip(peer), null, SNAPSHOT);
        InetAddress a = head.clientAddress();
        return a == null ? null : NetUtil.toAddressString(a);
    }

    private static InetAddress ip(String literal) {
        return NetUtil.createInetAddressFromIpAddressString(literal);
    }

    @Test
    void anUntrustedPeerIsTheClientWhateverItClaims() {
        assertThat(client("203.0.113.7", "6.6.6.6")).isEqualTo("203.0.113.7");
    }

    @Test
    void behindTrustedProxiesTheRightmostUntrustedHopIsTheClient() {
        assertThat(client("10.0.0.1", "6.6.6.6, 198.51.100.2, 10.1.1.1")).isEqualTo("198.51.100.2");
        assertThat(client("10.0.0.1", "6.6.6.6", "198.51.100.2, 10.1.1.1")).as("over two fields").isEqualTo("198.51.100.2");
        assertThat(client("fd00::1", "[2001:db8::5]:443, fd00::2")).isEqualTo("2001:db8::5");
        assertThat(client("10.0.0.1", "198.51.100.9:5000")).as("v4 with a port").isEqualTo("198.51.100.9");
    }

    @Test
    void aTrustedPeerWithoutTheFieldOrWithOnlyTrustedHopsIsTheFurthestKnown() {
        assertThat(client("10.0.0.1")).isEqualTo("10.0.0.1");
        assertThat(client("10.0.0.1", "10.2.2.2, 10.3.3.3")).isEqualTo("10.2.2.2");
    }

    @Test
    void aForgedEntryEndsTheWalkAtTheLastGoodAddress() {
        assertThat(client("10.0.0.1", "198.51.100.2, not-an-ip, 10.1.1.1")).isEqualTo("10.1.1.1");
        assertThat(client("10.0.0.1", "unknown")).isEqualTo("10.0.0.1");
    }
}
