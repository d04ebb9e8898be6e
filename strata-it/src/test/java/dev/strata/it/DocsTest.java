package dev.strata.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The documentation a user reads says what the code does. */
class DocsTest {

    private static final Path HOME = Path.of(System.getProperty("strata.home", "..")).toAbsolutePath().normalize();

    @ParameterizedTest
    @ValueSource(strings = {
            "strata-cli/src/main/resources/strata/defaults/up.yaml",
            "strata-cli/src/main/resources/strata/up/stage-limits.yaml",
            "strata-links/src/main/resources/strata/defaults/links.yaml",
            "strata-data/src/main/resources/strata/defaults/data.yaml",
            "strata-redis/src/main/resources/strata/defaults/redis.yaml",
            "strata-gateway/src/main/resources/strata/defaults/gateway.yaml"})
    void configurationGuideShowsEveryDefaultsFileAsShipped(String defaults) throws Exception {
        String guide = Files.readString(HOME.resolve("docs/configuration.md"));
        assertThat(guide).as("docs/configuration.md must show %s verbatim", defaults)
                .contains(Files.readString(HOME.resolve(defaults)).strip());
    }

    @Test
    void readmeStartsWithTheTwoCommands() throws Exception {
        String readme = Files.readString(HOME.resolve("README.md"));
        assertThat(readme).contains("./strata up").contains("./strata test");
        assertThat(readme.indexOf("./strata up")).isLessThan(readme.indexOf("## Commands"));
    }

    @Test
    void everyGatewayExampleInTheReadmeIsAValidConfiguration() throws Exception {
        String readme = Files.readString(HOME.resolve("README.md"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("```yaml\n(gateway:\n.*?)```", java.util.regex.Pattern.DOTALL)
                .matcher(readme);
        int examples = 0;
        while (m.find()) {
            String yaml = m.group(1);
            if (!yaml.contains("upstreams:")) { // a fragment that shows one feature names the group of the one before
                yaml = yaml + "  upstreams: {app: {endpoints: [127.0.0.1:8081]}}\n";
            }
            dev.strata.common.config.ConfigLoader.fromYaml(yaml, "README example " + (examples + 1))
                    .requiredSection("gateway", dev.strata.gateway.config.GatewayConfig.class, "a gateway");
            examples++;
        }
        assertThat(examples).as("gateway examples in README.md").isGreaterThanOrEqualTo(2);
        assertThat(readme).as("the minimal example points at the links node of stage 1 (links.port's default)")
                .contains("endpoints: [127.0.0.1:8081]");
        assertThat(Files.readString(HOME.resolve("strata-links/src/main/resources/strata/defaults/links.yaml")))
                .contains("port: 8081");
    }
}
