package dev.strata.gateway.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/**
 * One endpoint of an upstream group, written {@code 127.0.0.1:8081} or
 * {@code {address: 127.0.0.1:8081, name: links-1}}. The name is how the admin API, the metrics and the
 * dashboard call the endpoint; without one it is called by its address.
 *
 * @param address host:port
 * @param name    the node's name, or the address when none is given
 */
public record EndpointConfig(String address, String name) {

    public EndpointConfig(String address, String name) {
        HostPort.parse("upstreams.endpoints.address", address);
        if (name != null && (name.isBlank() || name.length() > 64 || !name.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
            throw new IllegalArgumentException("upstreams.endpoints.name: '" + name
                    + "' (expected: up to 64 visible ASCII characters without spaces)");
        }
        this.address = address;
        this.name = name == null ? address : name;
    }

    /** The plain form: an endpoint called by its address. */
    public static EndpointConfig of(String address) {
        return new EndpointConfig(address, null);
    }

    /** Either form, as the YAML writes it. */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static EndpointConfig parse(JsonNode node) {
        if (node.isTextual()) {
            return of(node.asText());
        }
        if (!node.isObject()) {
            throw new IllegalArgumentException("upstreams.endpoints: " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT)
                    + " (expected: host:port, or {address: host:port, name: NAME})");
        }
        node.fieldNames().forEachRemaining(key -> {
            if (!Set.of("address", "name").contains(key)) {
                throw new IllegalArgumentException("upstreams.endpoints." + key
                        + ": unknown key (expected one of: address, name)");
            }
        });
        JsonNode address = node.get("address");
        JsonNode name = node.get("name");
        if (address == null || !address.isTextual()) {
            throw new IllegalArgumentException("upstreams.endpoints.address: "
                    + (address == null ? "missing" : address.toString()) + " (expected: host:port)");
        }
        if (name != null && !name.isNull() && !name.isTextual()) {
            throw new IllegalArgumentException("upstreams.endpoints.name: " + name + " (expected: a name)");
        }
        return new EndpointConfig(address.asText(), name == null || name.isNull() ? null : name.asText());
    }

    /** Whether the configuration gave this endpoint a name of its own. */
    public boolean named() {
        return !name.equals(address);
    }
}
