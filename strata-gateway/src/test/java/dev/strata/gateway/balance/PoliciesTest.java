package dev.strata.gateway.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.common.config.ConfigLoader;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PoliciesTest {

    @ParameterizedTest
    @ValueSource(strings = {"least-request", "round-robin", "consistent-hash", "peak-ewma"})
    void everyNamedPolicyPicksACandidate(String policy) {
        List<FakeTarget> targets = FakeTarget.named(3);
        LoadBalancer balancer = LoadBalancer.of(new BalanceConfig(policy, "header:X-User"));
        assertThat(targets).contains(balancer.pick(targets, "k"), balancer.pick(targets, null));
        assertThat(balancer.pick(targets.subList(0, 1), "k")).isSameAs(targets.getFirst());
    }

    @Test
    void mapsNamesToPolicies() {
        assertThat(LoadBalancer.of(new BalanceConfig("least-request", null))).isInstanceOf(LeastRequestPolicy.class);
        assertThat(LoadBalancer.of(new BalanceConfig("round-robin", null))).isInstanceOf(RoundRobinPolicy.class);
        assertThat(LoadBalancer.of(new BalanceConfig("consistent-hash", null))).isInstanceOf(ConsistentHashPolicy.class);
        assertThat(LoadBalancer.of(new BalanceConfig("peak-ewma", null))).isInstanceOf(PeakEwmaPolicy.class);
    }

    @Test
    void nullsMeanTheDefaults() {
        assertThat(new BalanceConfig(null, null)).isEqualTo(BalanceConfig.DEFAULT);
    }

    @Test
    void rejectsAnUnknownPolicyWhenTheConfigIsBuilt() {
        assertThatThrownBy(() -> new BalanceConfig("random", "path"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("policy: random (expected: least-request, round-robin, consistent-hash or peak-ewma)");
        assertThatThrownBy(() -> Policies.create("leastrequest", Policies.THREAD_LOCAL_RANDOM))
                .hasMessageStartingWith("policy: leastrequest (expected: ");
    }

    @Test
    void rejectsABadHashOnWhenTheConfigIsBuilt() {
        assertThatThrownBy(() -> new BalanceConfig("consistent-hash", "header"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("hashOn: header (expected: header:NAME, cookie:NAME or path)");
    }

    @Test
    void aBadPolicyFailsWhenTheYamlIsBound() {
        assertThat(ConfigLoader.mapper().convertValue(java.util.Map.of("policy", "peak-ewma", "hash_on", "path"), BalanceConfig.class))
                .isEqualTo(new BalanceConfig("peak-ewma", "path"));
        assertThatThrownBy(() -> ConfigLoader.mapper().readValue("policy: random\nhash_on: path\n", BalanceConfig.class))
                .hasMessageContaining("policy: random (expected: ");
    }
}
