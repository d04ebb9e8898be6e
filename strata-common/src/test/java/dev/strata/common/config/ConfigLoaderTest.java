package dev.strata.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {

    record Limits(ByteSize maxBody, Duration timeout) {}

    record Sample(String name, int port, Limits limits, List<String> tags) {}

    @Test
    void userValuesMergeOverBuiltInDefaults() {
        Sample s = ConfigLoader.fromYaml("sample:\n  port: 9000\n  limits:\n    timeout: 250ms\n", "test")
                .section("sample", Sample.class);
        assertThat(s.name()).isEqualTo("from-defaults");
        assertThat(s.port()).isEqualTo(9000);
        assertThat(s.limits().maxBody()).isEqualTo(new ByteSize(16 * 1024));
        assertThat(s.limits().timeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(s.tags()).containsExactly("a", "b");
    }

    @Test
    void listsReplaceRatherThanMerge() {
        Sample s = ConfigLoader.fromYaml("sample:\n  tags: [c]\n", "test").section("sample", Sample.class);
        assertThat(s.tags()).containsExactly("c");
    }

    @Test
    void unknownKeysAreRejectedWithTheirName() {
        assertThatThrownBy(() -> ConfigLoader.fromYaml("sample:\n  prot: 9000\n", "my.yaml").section("sample", Sample.class))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("my.yaml")
                .hasMessageContaining("prot");
    }

    @Test
    void badUnitsAreRejected() {
        assertThatThrownBy(() -> ConfigLoader.fromYaml("sample:\n  limits:\n    timeout: soon\n", "t").section("sample", Sample.class))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("soon");
        assertThatThrownBy(() -> ByteSize.parse("12 parsecs")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sizesAndDurationsParse() {
        assertThat(ByteSize.parse("1GiB").bytes()).isEqualTo(1L << 30);
        assertThat(ByteSize.parse("8 KiB").bytes()).isEqualTo(8192);
        assertThat(ByteSize.parse("512").bytes()).isEqualTo(512);
        assertThat(Units.parseDuration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Units.parseDuration("30")).isEqualTo(Duration.ofSeconds(30));
        assertThat(Units.formatDuration(Duration.ofMillis(1500))).isEqualTo("1500ms");
    }

    @Test
    void deepMergeMergesMappingsAndReplacesEverythingElse() throws Exception {
        ObjectMapper yaml = ConfigLoader.mapper();
        ObjectNode into = (ObjectNode)
                yaml.readTree("a: {b: 1, c: {d: 2}}\nlist: [1, 2]\nscalar: x\nmap: {k: v}\n");
        ObjectNode over = (ObjectNode)
                yaml.readTree("a: {c: {e: 3}}\nlist: [3]\nscalar: {now: a map}\nmap: 7\nnew: null\n");
        String overBefore = over.toString();
        ConfigLoader.deepMerge(into, over);
        assertThat(into).isEqualTo(yaml.readTree(
                "a: {b: 1, c: {d: 2, e: 3}}\nlist: [3]\nscalar: {now: a map}\nmap: 7\nnew: null\n"));
        ((ObjectNode) into.get("scalar")).put("now", "changed");
        assertThat(over.toString()).as("over is copied, never shared or changed").isEqualTo(overBefore);
    }

    @Test
    void emptyFileMeansDefaults() {
        Sample s = ConfigLoader.fromYaml("", "empty").section("sample", Sample.class);
        assertThat(s.port()).isEqualTo(8080);
    }
}
