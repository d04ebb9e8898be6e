package dev.strata.gateway.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.config.UpstreamConfig;
import dev.strata.gateway.filter.RequestView;
import dev.strata.gateway.health.HealthState;
import dev.strata.gateway.health.Outcome;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.FakeRequest;
import io.netty.bootstrap.Bootstrap;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Selection over a group's endpoints as health leaves them: eligible ones, or all of them when the group panics. */
class UpstreamGroupTest {

    private static final RequestView REQUEST = FakeRequest.get("/ok");

    /**
     * A round-robin group of {@code size} endpoints (nothing listens on them: nothing connects here)
     * with active checks on (two failed checks take an endpoint out) and the given balance settings.
     */
    private static UpstreamGroup group(int size, String balance) {
        String endpoints = String.join(", ", IntStream.range(0, size).mapToObj(i -> "127.0.0.1:" + (19001 + i)).toList());
        UpstreamConfig config = Configs.yaml("""
                gateway:
                  upstreams:
                    app:
                      endpoints: [%s]
                      balance: {policy: round-robin%s}
                      health: {active: {enabled: true, unhealthy_threshold: 2}}
                """.formatted(endpoints, balance)).upstreams().get("app");
        return Upstreams.build(Map.of("app", config), Set.of("app"), Upstreams.empty(), new Bootstrap()).group("app");
    }

    private static void takeOut(Endpoint endpoint) {
        endpoint.health().activeCheck(false);
        endpoint.health().activeCheck(false);
        assertThat(endpoint.health().state()).isEqualTo(HealthState.UNHEALTHY);
    }

    /** The endpoints {@code times} selections pick, by index. */
    private static Set<Integer> picked(UpstreamGroup group, long tried, int times) {
        Set<Integer> picked = new HashSet<>();
        for (int i = 0; i < times; i++) {
            picked.add(group.select(REQUEST, tried));
        }
        return picked;
    }

    // ------------------------------------------------------------------ (a) the panic threshold

    @Test
    void aGroupOfOneWhoseEndpointIsUnhealthyStillServesIt() {
        UpstreamGroup group = group(1, "");
        takeOut(group.endpoints().getFirst());
        assertThat(group.panicking()).isTrue();
        assertThat(group.select(REQUEST, 0)).isZero();
        assertThat(group.hasUntried(0)).isTrue();
        assertThat(group.hasUntried(1)).as("tried already").isFalse();
        assertThat(group.select(REQUEST, 1)).isEqualTo(-1);
    }

    @Test
    void withThePanicThresholdOffNoEligibleEndpointMeansNoCandidate() {
        UpstreamGroup group = group(1, ", panic_threshold: 0%");
        takeOut(group.endpoints().getFirst());
        assertThat(group.panicking()).isFalse();
        assertThat(group.select(REQUEST, 0)).isEqualTo(-1);
        assertThat(group.hasUntried(0)).isFalse();
    }

    @Test
    void belowTheThresholdEveryEndpointIsACandidate() {
        UpstreamGroup group = group(4, "");
        takeOut(group.endpoints().get(0));
        takeOut(group.endpoints().get(1));
        assertThat(group.panicking()).as("2 of 4 eligible is not below 50 %").isFalse();
        assertThat(picked(group, 0, 40)).containsExactlyInAnyOrder(2, 3);

        takeOut(group.endpoints().get(2));
        assertThat(group.panicking()).as("1 of 4").isTrue();
        assertThat(picked(group, 0, 40)).containsExactlyInAnyOrder(0, 1, 2, 3);
        assertThat(picked(group, 0b0101, 40)).as("but not the ones tried").containsExactlyInAnyOrder(1, 3);
        assertThat(group.hasUntried(0b0111)).isTrue();
        assertThat(group.hasUntried(0b1111)).isFalse();
    }

    @Test
    void theThresholdIsConfigured() {
        UpstreamGroup group = group(4, ", panic_threshold: 80%");
        takeOut(group.endpoints().get(0));
        assertThat(group.panicking()).as("3 of 4 eligible is below 80 %").isTrue();
        assertThat(picked(group, 0, 40)).containsExactlyInAnyOrder(0, 1, 2, 3);

        UpstreamGroup always = group(4, ", panic_threshold: 100%");
        assertThat(always.panicking()).as("all eligible").isFalse();
        takeOut(always.endpoints().get(0));
        assertThat(always.panicking()).isTrue();
    }

    @Test
    void panicEndsWhenEnoughEndpointsAreEligibleAgain() {
        UpstreamGroup group = group(2, "");
        takeOut(group.endpoints().get(0));
        takeOut(group.endpoints().get(1));
        assertThat(group.panicking()).isTrue();
        assertThat(picked(group, 0, 20)).containsExactlyInAnyOrder(0, 1);
        group.endpoints().get(1).health().activeCheck(true);
        group.endpoints().get(1).health().activeCheck(true);
        assertThat(group.panicking()).as("1 of 2 eligible").isFalse();
        assertThat(picked(group, 0, 20)).containsExactly(1);
    }

    // ------------------------------------------------------------------ (b) and (c): what passive detection may eject

    @Test
    void theSoleEndpointIsNotEjectedByGatewayFailures() {
        UpstreamGroup group = group(1, "");
        Endpoint only = group.endpoints().getFirst();
        for (int i = 0; i < 20; i++) {
            assertThat(group.detector().record(only.health(), Outcome.CONNECT_FAILURE)).isFalse();
        }
        assertThat(only.health().state()).isEqualTo(HealthState.HEALTHY);
        assertThat(group.panicking()).isFalse();
        assertThat(group.select(REQUEST, 0)).isZero();
    }

    @Test
    void serverErrorsEjectNothingByDefaultGatewayErrorsDo() {
        UpstreamGroup group = group(2, "");
        Endpoint broken = group.endpoints().get(0);
        for (int i = 0; i < 20; i++) {
            group.detector().record(broken.health(), Outcome.SERVER_ERROR);
        }
        assertThat(broken.health().state()).as("20 answers of 500").isEqualTo(HealthState.HEALTHY);
        assertThat(picked(group, 0, 20)).containsExactlyInAnyOrder(0, 1);

        List<Boolean> ejected = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ejected.add(group.detector().record(broken.health(), Outcome.GATEWAY_ERROR));
        }
        assertThat(ejected).containsExactly(false, false, false, false, true);
        assertThat(broken.health().state()).isEqualTo(HealthState.EJECTED);
        assertThat(picked(group, 0, 20)).as("1 of 2 eligible: no panic").containsExactly(1);
    }

    @Test
    void consecutive5xxEjectsWhenTurnedOn() {
        String yaml = """
                gateway:
                  upstreams:
                    app:
                      endpoints: [127.0.0.1:19001, 127.0.0.1:19002]
                      health: {active: {enabled: false}, outlier: {consecutive_5xx: 3}}
                """;
        UpstreamConfig config = Configs.yaml(yaml).upstreams().get("app");
        UpstreamGroup group = Upstreams.build(Map.of("app", config), Set.of("app"), Upstreams.empty(), new Bootstrap())
                .group("app");
        Endpoint broken = group.endpoints().get(0);
        group.detector().record(broken.health(), Outcome.SERVER_ERROR);
        group.detector().record(broken.health(), Outcome.SERVER_ERROR);
        assertThat(group.detector().record(broken.health(), Outcome.SERVER_ERROR)).isTrue();
    }
}
