package dev.strata.cli.up;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.common.config.ConfigLoader;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlannerTest {

    @TempDir
    Path dir;

    private List<NodeSpec> plan(String yaml, int stage, int gateways) throws Exception {
        ConfigLoader loader = ConfigLoader.fromYaml(yaml, "test.yaml");
        UpConfig up = loader.section("up", UpConfig.class);
        return new Planner(up, loader.userTree(), dir, HttpClient.newHttpClient()).plan(stage, 1, gateways, false, "tok3n");
    }

    @Test
    void twoGatewaysGetTheirOwnPortsAndARedisNodeStartedFirst() throws Exception {
        List<NodeSpec> nodes = plan("up: {}\n", 2, 2);
        assertThat(nodes).extracting(NodeSpec::name).containsExactly("redis", "postgres", "links-1", "gateway-1", "gateway-2");
        assertThat(nodes).extracting(NodeSpec::role).containsExactly("redis", "postgres", "links", "gateway", "gateway");
        assertThat(nodes).extracting(NodeSpec::url).containsExactly("redis://127.0.0.1:16379",
                "postgresql://127.0.0.1:15432/strata", "http://127.0.0.1:8081", "http://127.0.0.1:8080", "http://127.0.0.1:8070");
        assertThat(nodes.get(3).adminUrl()).isEqualTo("http://127.0.0.1:9901");
        assertThat(nodes.get(4).adminUrl()).isEqualTo("http://127.0.0.1:9902");

        String gateway2 = Files.readString(nodes.get(4).configFile());
        assertThat(gateway2).contains("name: \"gateway-2\"", "token: \"tok3n\"", "enabled: true",
                "redis: \"redis://127.0.0.1:16379\"");
        assertThat(Files.getPosixFilePermissions(nodes.get(4).configFile()))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
        assertThat(Files.readString(nodes.get(0).configFile())).contains("port: 16379", "dir: \"" + dir.resolve("redis") + "\"");
    }

    @Test
    void oneGatewayNeedsNoRedisAndKeepsItsName() throws Exception {
        List<NodeSpec> nodes = plan("up: {}\n", 3, 1);
        assertThat(nodes).extracting(NodeSpec::name).containsExactly("postgres", "links-1", "gateway");
        assertThat(Files.readString(nodes.get(2).configFile())).doesNotContain("cluster").contains("token: \"tok3n\"");
    }

    @Test
    void aTokenOfTheUsersOwnIsKept() throws Exception {
        List<NodeSpec> nodes = plan("gateway: {admin: {token: mine}}\n", 2, 1);
        assertThat(Files.readString(nodes.get(2).configFile())).contains("token: \"mine\"").doesNotContain("tok3n");
    }

    @Test
    void theGatewaysGetTheStagesRateLimitsSharedThroughRedisWhenThereAreSeveral() throws Exception {
        String one = Files.readString(plan("up: {}\n", 2, 1).get(2).configFile());
        assertThat(one).contains("rate_limit", "name: \"create\"", "name: \"read\"", "name: \"ceiling\"",
                "key: \"global\"").doesNotContain("store");
        String shared = Files.readString(plan("up: {}\n", 3, 2).get(4).configFile());
        assertThat(shared).contains("rate_limit", "store: \"cluster\"", "on_failure: \"local\"");
        String own = Files.readString(plan("gateway: {filters: []}\n", 2, 1).get(2).configFile());
        assertThat(own).as("the user's filters: none").doesNotContain("rate_limit");
    }

    @Test
    void theCacheReadsTheLinksNodesPositionsAndFencesForSixTimesTheLag() throws Exception {
        String three = Files.readString(plan("up: {}\n", 3, 1).get(2).configFile());
        assertThat(three).as("no replicas, but the field stays from clients").contains("positions");
        List<NodeSpec> nodes = plan("data: {routing: {max_lag: 10s}}\n", 4, 1);
        String four = Files.readString(nodes.get(nodes.size() - 1).configFile());
        assertThat(four).contains("header: \"Strata-Data-Position\"", "\"header:Strata-Consistency\"",
                "\"cookie:strata_consistency\"", "fence_window: \"60s\"");
        List<NodeSpec> byDefault = plan("up: {}\n", 4, 1);
        String defaults = Files.readString(byDefault.get(byDefault.size() - 1).configFile());
        assertThat(defaults).as("5s of lag at most: at least 30s").contains("fence_window: \"30s\"");
    }

    @Test
    void portsThatTwoNodesWouldBindAreRefusedBeforeAnythingStarts() {
        assertThatThrownBy(() -> plan("up: {ports: {more_gateways: 8081}}\n", 2, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("port 8081 would serve both links-1 and gateway-2");
    }

    @Test
    void freshWipesTheDatabaseOnTheFirstStartOnlyNotOnARestart() throws Exception {
        ConfigLoader loader = ConfigLoader.fromYaml("up: {}\n", "test.yaml");
        UpConfig up = loader.section("up", UpConfig.class);
        var tree = loader.userTree();
        Planner.setReplicas(tree, 4, 1);
        List<NodeSpec> four = new Planner(up, tree, dir, HttpClient.newHttpClient()).plan(4, 1, 1, true, "t");
        assertThat(four.get(0).name()).isEqualTo("postgres-primary");
        assertThat(four.get(0).firstStartArgs()).containsExactly("--fresh");
        assertThat(four.get(0).extraArgs()).isEmpty();
        assertThat(four.get(1).extraArgs()).containsExactly("--replica", "1").doesNotContain("--fresh");
        List<NodeSpec> one = new Planner(up, loader.userTree(), dir, HttpClient.newHttpClient()).plan(1, 1, 1, true, "t");
        assertThat(one.get(0).firstStartArgs()).containsExactly("--fresh");
        assertThat(one.get(0).extraArgs()).isEmpty();
    }

    @Test
    void aReplicaDelayGoesToItsReplicaOnly() throws Exception {
        ConfigLoader loader = ConfigLoader.fromYaml("up: {}\n", "test.yaml");
        UpConfig up = loader.section("up", UpConfig.class);
        var tree = loader.userTree();
        Planner.setReplicas(tree, 4, 2);
        var delays = UpCommand.replicaDelays(List.of("2=3s"));
        List<NodeSpec> nodes = new Planner(up, tree, dir, HttpClient.newHttpClient(), delays).plan(4, 1, 1, false, "t");
        assertThat(nodes.get(1).extraArgs()).containsExactly("--replica", "1");
        assertThat(nodes.get(2).extraArgs()).containsExactly("--replica", "2", "--apply-delay", "3000ms");

        var missing = UpCommand.replicaDelays(List.of("3=1s"));
        assertThatThrownBy(() -> new Planner(up, tree, dir, HttpClient.newHttpClient(), missing).plan(4, 1, 1, false, "t"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("there is no replica 3 (expected: 1..2)");
        for (String bad : List.of("3s", "x=3s", "1=soon", "1=2s", "=1s")) {
            assertThatThrownBy(() -> UpCommand.replicaDelays(List.of("1=2s", bad)))
                    .as(bad).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected: N=DELAY");
        }
    }
}
