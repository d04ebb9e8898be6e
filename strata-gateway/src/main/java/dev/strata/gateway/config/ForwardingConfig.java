package dev.strata.gateway.config;

import java.util.List;

/** Which peers' forwarding headers are trusted, and whether {@code Via} is added. */
public record ForwardingConfig(List<String> trustedProxies, boolean via) {

    public ForwardingConfig {
        trustedProxies = trustedProxies == null ? List.of() : List.copyOf(trustedProxies);
        for (String cidr : trustedProxies) {
            Cidr.parse(cidr);
        }
    }
}
