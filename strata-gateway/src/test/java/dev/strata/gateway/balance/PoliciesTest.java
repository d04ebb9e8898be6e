package dev.strata.gateway.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.common.config.ConfigLoader;
import dev.strata.gateway.key.RequestKey;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PoliciesTest {

    @ParameterizedTest
    @ValueSource(strings = {"least-request", "round-robin", "consistent-hash", "peak-ewma"})
    void everyNamedPolicyPicksACandidate(String policy) {
        List<FakeTarget> targets = FakeTarget.named(3);
        LoadBalancer balancer = LoadBalancer.of(new BalanceConfig(policy, RequestKey.parse("header:X-User"), 50));
        assertThat(targets).contains(balancer.pick(targets, "k"), balancer.pick(targets, null));
        assertThat(balancer.pick(targets.subList(0, 1), "k")).isSameAs(targets.getFirst());
    }

    @Test
    void mapsNamesToPolicies() {
        assertThat(LoadBalancer.of(new BalanceConfig("least-request", null, 50))).isInstanceOf(LeastRequestPolicy.class);
        assertThat(LoadBalancer.of(new BalanceConfig("round-robin", null, 50))).isInstanceOf(RoundRobinPolicy.class);
        assertThat(LoadBalancer.of(new BalanceConfig("consistent-hash", null, 50))).isInstanceOf(ConsistentHashPolicy.class);
        assertThat(LoadBalancer.of(new BalanceConfig("peak-ewma", null, 50))).isInstanceOf(PeakEwmaPolicy.class);
    }

    @Test
    void nullsMeanTheDefaults() {
        assertThat(new BalanceConfig(null, null, 50)).isEqualTo(BalanceConfig.DEFAULT);
    }

    @Test
    void rejectsAnUnknownPolicyWhenTheConfigIsBuilt() {
        assertThatThrownBy(() -> new BalanceConfig("random", null, 50))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("policy: random (expected: least-request, round-robin, consistent-hash or peak-ewma)");
        assertThatThrownBy(() -> Policies.create("leastrequest", Policies.THREAD_LOCAL_RANDOM))
                .hasMessageStartingWith("policy: leastrequest (expected: ");
    }

    @Test
    void aBadHashOnFailsWhenTheYamlIsBound() {
        assertThatThrownBy(() -> bind("policy: consistent-hash\nhash_on: header\n"))
                .hasMessageContaining("key: header (expected: client_address, path, header:NAME, cookie:NAME, "
                        + "query:NAME, constant:VALUE or global)");
        assertThatThrownBy(() -> bind("policy: round-robin\nhash_on: \"cookie:\"\n"))
                .as("validated for every policy").hasMessageContaining("key: cookie: (expected: ");
        assertThatThrownBy(() -> bind("policy: consistent-hash\nhash_on: path\nipv6_prefix: 64\n"))
                .hasMessageContaining("ipv6Prefix: 64 (expected: 128 unless the key is client_address, not path)");
    }

    @Test
    void aBadPolicyFailsWhenTheYamlIsBound() throws Exception {
        assertThat(bind("policy: peak-ewma\nhash_on: path\n"))
                .isEqualTo(new BalanceConfig("peak-ewma", RequestKey.parse("path"), 50));
        assertThatThrownBy(() -> bind("policy: random\nhash_on: path\n"))
                .hasMessageContaining("policy: random (expected: ");
    }

    @Test
    void theYamlSpellingsOfHashOnBind() throws Exception {
        assertThat(bind("policy: consistent-hash\nhash_on: cookie:session\n").requestKey())
                .isEqualTo(RequestKey.parse("cookie:session"));
        assertThat(bind("policy: consistent-hash\nhash_on: client_address\nipv4_prefix: 24\nipv6_prefix: 64\n")
                .requestKey()).isEqualTo(RequestKey.parse("client_address", 24, 64));
        assertThat(bind("policy: consistent-hash\nhash_on: null\n").requestKey()).isEqualTo(RequestKey.parse("path"));
        assertThat(bind("policy: least-request\nhash_on: query:user\n").requestKey())
                .as("only consistent-hash reads a key").isNull();
    }

    @Test
    void thePanicThresholdIsAPercentage() throws Exception {
        assertThat(bind("policy: round-robin\nhash_on: path\npanic_threshold: 50%\n").panicThreshold()).isEqualTo(50);
        assertThat(bind("policy: round-robin\nhash_on: path\npanic_threshold: 12.5%\n").panicThreshold()).isEqualTo(12.5);
        assertThat(bind("policy: round-robin\nhash_on: path\npanic_threshold: 0%\n").panicThreshold()).isZero();
        assertThat(bind("policy: round-robin\nhash_on: path\npanic_threshold: 100\n").panicThreshold()).isEqualTo(100);
        for (String bad : new String[] {"101%", "-1%", "half", "50%%", "\"\"", "1e1", "NaN"}) {
            assertThatThrownBy(() -> bind("policy: round-robin\nhash_on: path\npanic_threshold: " + bad + "\n"))
                    .as(bad).hasMessageContaining("balance.panic_threshold: ").hasMessageContaining(" (expected: 0%..100%)");
        }
        assertThatThrownBy(() -> new BalanceConfig(null, null, 100.5))
                .hasMessage("balance.panic_threshold: 100.5 (expected: 0..100)");
    }

    /** Binds YAML as the loader does, with the default prefixes and panic threshold unless {@code yaml} gives them. */
    private static BalanceConfig bind(String yaml) throws Exception {
        String defaults = (yaml.contains("ipv4_prefix") ? "" : "ipv4_prefix: 32\n")
                + (yaml.contains("ipv6_prefix") ? "" : "ipv6_prefix: 128\n")
                + (yaml.contains("panic_threshold") ? "" : "panic_threshold: 50%\n");
        return ConfigLoader.mapper().readValue(yaml + defaults, BalanceConfig.class);
    }
}
