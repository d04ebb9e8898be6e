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

    record Checked(int port) {
        Checked {
            if (port <= 0) {
                throw new IllegalArgumentException("checked.port: " + port + " (expected: > 0)");
            }
        }
    }

    record Outer(Checked checked, List<Checked> list) {}

    @Test
    void anUnknownKeyIsNamedWithItsPathItsLineAndTheKeysThatWouldDo() {
        String yaml = "# comment\nsample:\n  limits:\n    max_body: 1KiB\n    timout: 5s\n";
        assertThatThrownBy(() -> ConfigLoader.fromYaml(yaml, "my.yaml").section("sample", Sample.class))
                .isInstanceOf(ConfigException.class)
                .hasMessage("my.yaml: sample.limits.timout (line 5, column 5): unknown key (expected one of: max_body, timeout)");
    }

    @Test
    void aBadDurationOrSizeSaysWhatWasFoundAndWhatWouldDo() {
        assertThatThrownBy(() -> ConfigLoader.fromYaml("sample:\n  limits:\n    timeout: soon\n", "t.yaml")
                .section("sample", Sample.class))
                .hasMessage("t.yaml: sample.limits.timeout (line 3, column 5): found 'soon' "
                        + "(expected: a duration such as 250ms, 5s, 2m or 1h)");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("sample:\n  limits: {max_body: lots}\n", "t.yaml")
                .section("sample", Sample.class))
                .hasMessage("t.yaml: sample.limits.max_body (line 2, column 12): found 'lots' "
                        + "(expected: a size such as 512, 16KiB, 8MiB or 1GiB)");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("sample:\n  port: eighty\n", "t.yaml")
                .section("sample", Sample.class))
                .hasMessageStartingWith("t.yaml: sample.port (line 2, column 3): ")
                .hasMessageContaining("expected: a whole number")
                .hasMessageNotContaining("java").hasMessageNotContaining("Source");
    }

    @Test
    void aRecordsOwnRuleNamesTheWholeKeyOnceWithItsLine() {
        assertThatThrownBy(() -> ConfigLoader.fromYaml("outer:\n  checked: {port: 0}\n", "t.yaml")
                .section("outer", Outer.class))
                .hasMessage("t.yaml: outer.checked.port (line 2, column 13): 0 (expected: > 0)");
        assertThatThrownBy(() -> ConfigLoader.fromYaml("outer:\n  list:\n    - {port: 1}\n    - {port: -1}\n", "t.yaml")
                .section("outer", Outer.class))
                .hasMessageStartingWith("t.yaml: outer.list[1]");
    }

    @Test
    void aSectionThatIsNotAMappingIsNamedWithItsLine() {
        assertThatThrownBy(() -> ConfigLoader.fromYaml("other: {}\nouter: 7\n", "t.yaml").section("outer", Outer.class))
                .isInstanceOf(ConfigException.class)
                .hasMessage("t.yaml: outer (line 2, column 1): the wrong kind of value (expected: a mapping)");
    }

    @Test
    void brokenYamlGivesTheLineAndNoParserInternals() {
        assertThatThrownBy(() -> ConfigLoader.fromYaml("sample:\n  port: [1, 2\n  name: x\n", "t.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("t.yaml (line ")
                .hasMessageContaining("not valid YAML")
                .hasMessageNotContaining("[Source").hasMessageNotContaining("com.fasterxml");
    }

    @Test
    void aMissingFileSaysSoAndARequiredSectionMustBeThere(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path missing = dir.resolve("nonexistent.yaml");
        assertThatThrownBy(() -> ConfigLoader.fromFile(missing))
                .hasMessage("config file " + missing + " does not exist");
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("s.yaml"), "other: {}\n");
        assertThatThrownBy(() -> ConfigLoader.fromFile(file).requiredSection("sample", Sample.class, "a sample"))
                .hasMessage(file + ": no 'sample:' section (a sample needs one; see docs/configuration.md)");
        assertThat(ConfigLoader.fromFile(file).section("sample", Sample.class).port()).isEqualTo(8080);
    }

    @Test
    void durationsPrintAsWritten() {
        assertThat(Units.show(Duration.ZERO)).isEqualTo("0s");
        assertThat(Units.show(Duration.ofMillis(-250))).isEqualTo("-250ms");
        assertThat(Units.show(null)).isEqualTo("missing");
    }
}
