package dev.strata.gateway.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.common.config.ConfigException;
import dev.strata.gateway.testing.Configs;
import org.junit.jupiter.api.Test;

/** An endpoint is written host:port or {address, name}; the two forms mix, and a wrong one is refused by name. */
class EndpointNamesTest {

    private static UpstreamConfig app(String endpoints) {
        return Configs.yaml("gateway:\n  upstreams:\n    app:\n      endpoints: " + endpoints + "\n").upstreams().get("app");
    }

    @Test
    void bothFormsMixAndAnUnnamedEndpointIsCalledByItsAddress() {
        UpstreamConfig app = app("[{address: 127.0.0.1:8081, name: links-1}, 127.0.0.1:8082]");
        assertThat(app.endpoints()).containsExactly(new EndpointConfig("127.0.0.1:8081", "links-1"),
                new EndpointConfig("127.0.0.1:8082", "127.0.0.1:8082"));
        assertThat(app.endpoints().get(0).named()).isTrue();
        assertThat(app.endpoints().get(1).named()).isFalse();
        assertThat(app.addresses()).containsExactly("127.0.0.1:8081", "127.0.0.1:8082");
    }

    @Test
    void anUnknownKeyAMissingAddressAndADuplicateNameAreRefused() {
        assertThatThrownBy(() -> app("[{address: 127.0.0.1:8081, nmae: links-1}]")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("upstreams.endpoints.nmae: unknown key (expected one of: address, name)");
        assertThatThrownBy(() -> app("[{name: links-1}]")).isInstanceOf(ConfigException.class)
                .hasMessageContaining("upstreams.endpoints.address: missing (expected: host:port)");
        assertThatThrownBy(() -> app("[{address: 127.0.0.1:8081, name: a}, {address: 127.0.0.1:8082, name: a}]"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("(expected: no duplicates)");
        assertThatThrownBy(() -> app("[{address: 127.0.0.1:8081, name: \"two words\"}]"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("visible ASCII characters without spaces");
    }
}
