package dev.strata.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.testing.OriginAndGateway;
import dev.strata.gateway.testing.RawClient;
import dev.strata.gateway.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ConnectionLimitTest {

    @RegisterExtension
    final OriginAndGateway env = new OriginAndGateway("o", "  limits: {max_connections: 2}\n");

    @Test
    void connectionsBeyondTheLimitAreClosedAtAccept() throws Exception {
        var address = env.address();
        try (RawClient a = new RawClient(address); RawClient b = new RawClient(address)) {
            assertThat(a.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(200);
            assertThat(b.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(200);
            try (RawClient c = new RawClient(address)) {
                assertThat(c.closedByPeer()).isTrue();
            }
            // the first two are still served
            assertThat(a.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().status()).isEqualTo(200);
        }
        // once they are gone, a new connection is accepted again
        Await.until(() -> {
            try (RawClient d = new RawClient(address)) {
                return d.send("GET / HTTP/1.1\r\nHost: h\r\n\r\n").read().status() == 200;
            } catch (Exception e) {
                return false;
            }
        });
    }
}
