package dev.strata.gateway.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.gateway.Gateway;
import dev.strata.gateway.admin.AdminReply;
import dev.strata.gateway.admin.AdminRequest;
import dev.strata.gateway.admin.AdminResource;
import dev.strata.gateway.filter.FilterType;
import dev.strata.gateway.filter.TestFilters;
import dev.strata.gateway.filter.Verdict;
import dev.strata.gateway.filter.WarmupMode;
import dev.strata.gateway.filter.builtin.BuiltInFilters;
import dev.strata.gateway.testing.Configs;
import dev.strata.gateway.testing.Origin;
import dev.strata.gateway.testing.Servers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: it shows every node of a running stage (the gateway, its named
 * endpoints, the database the topology names) and a node whose process is killed as down.
 *
 * <p>Drives Debian's Chromium through its ChromeDriver (packages {@code chromium} and
 * {@code chromium-driver}), named by path so that Selenium Manager never looks for or downloads one;
 * without them the test fails rather than skips ({@code ./strata test} installs them when it runs as
 * root). The stage is real processes and sockets: origins for the links nodes, a child process
 * standing for each node's pid in the topology file, and this JVM as the database's. A screenshot of
 * each test's last state goes to {@code target/browser/}.
 */
class DashboardBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "browser");
    static final Duration PATIENCE = Duration.ofSeconds(30);

    @RegisterExtension
    final Servers servers = new Servers();

    @TempDir
    Path dir;

    ChromeDriver browser;
    WebDriverWait wait;
    Process[] nodes = new Process[3];

    @BeforeEach
    void browser() throws IOException {
        for (Path binary : new Path[] {CHROMIUM, CHROMEDRIVER}) {
            if (!Files.isExecutable(binary)) {
                throw new AssertionError(binary + " is missing: this test drives Debian's Chromium; install it with"
                        + " `apt-get install chromium chromium-driver` (./strata test does so when it runs as root)");
            }
        }
        Files.createDirectories(SCREENSHOTS);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(SCREENSHOTS.resolve("chromedriver-dashboard.log").toFile())
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,900",
                "--user-data-dir=" + dir.resolve("profile").toAbsolutePath());
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(PATIENCE);
        wait = new WebDriverWait(browser, PATIENCE);
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class); // the page redraws on every poll
    }

    @AfterEach
    void stop(TestInfo test) throws IOException {
        try {
            if (browser != null) {
                Path png = browser.getScreenshotAs(OutputType.FILE).toPath();
                Files.copy(png, SCREENSHOTS.resolve(test.getTestMethod().orElseThrow().getName() + ".png"),
                        StandardCopyOption.REPLACE_EXISTING);
                browser.quit();
            }
        } finally {
            for (Process p : nodes) {
                if (p != null) {
                    p.destroyForcibly();
                }
            }
        }
    }

    /** A feature that serves a panel of its own: the page draws it from its JSON, unchanged. */
    static final class Tally implements AdminResource {
        @Override
        public String path() {
            return "/_strata/tally";
        }

        @Override
        public Set<String> methods() {
            return Set.of("GET");
        }

        @Override
        public String panel() {
            return "Tally";
        }

        @Override
        public CompletionStage<AdminReply> handle(AdminRequest request) {
            return CompletableFuture.completedFuture(AdminReply.json(200,
                    "{\"kept\": 42, \"keys\": [{\"key\": \"/hot\", \"hits\": 7}, {\"key\": \"/cold\", \"hits\": 1}]}"));
        }
    }

    @Test
    void aFeaturesPanelIsDrawnFromTheJsonItServes() throws Exception {
        Origin o = servers.origin("o");
        FilterType<?> tally = TestFilters.type("tally", WarmupMode.THROWAWAY_STATE, build -> {
            build.admin(build.state("tally", Tally.class, Tally::new));
            return context -> Verdict.CONTINUE;
        });
        Gateway g = servers.gateway(Configs.gateway("  filters: [{tally: {}}]\n", o.address()),
                BuiltInFilters.types().with(tally));

        browser.get("http://127.0.0.1:" + g.adminAddress().getPort() + "/_strata/");
        WebElement panel = wait.until(b -> {
            List<WebElement> found = b.findElements(By.cssSelector("section.panel[data-source='/_strata/tally']"));
            return found.isEmpty() || !found.get(0).getText().contains("/hot") ? null : found.get(0);
        });
        assertThat(panel.findElement(By.tagName("h2")).getText()).isEqualTo("Tally");
        assertThat(panel.getText()).contains("kept", "42", "key", "hits", "/hot", "7", "/cold");

        g.close(); // the page says so when the gateway goes away, and keeps what it last saw
        wait.until(b -> b.findElement(By.id("status")).getText().startsWith("gateway unreachable"));
        assertThat(read(b -> b.findElement(By.cssSelector("#endpoints tr.endpoint")).getText())).contains(o.address());
    }

    /** What the page shows, read again when the page redrew under the read. */
    private String read(java.util.function.Function<org.openqa.selenium.WebDriver, String> what) {
        return wait.until(what);
    }

    @Test
    void showsEveryNodeOfTheStageAndAKilledNodeAsDown() throws Exception {
        List<Origin> links = servers.origins("links-", 3);
        StringBuilder topology = new StringBuilder("{\"nodes\": [{\"name\": \"postgres\", \"role\": \"postgres\", "
                + "\"url\": \"postgresql://127.0.0.1:5432/strata\", \"pid\": " + ProcessHandle.current().pid() + "}");
        StringBuilder endpoints = new StringBuilder();
        for (int i = 0; i < 3; i++) {
            nodes[i] = new ProcessBuilder("sleep", "600").start();
            String name = "links-" + (i + 1);
            topology.append(", {\"name\": \"").append(name).append("\", \"role\": \"links\", \"url\": \"http://")
                    .append(links.get(i).address()).append("\", \"pid\": ").append(nodes[i].pid()).append('}');
            endpoints.append(i == 0 ? "" : ", ").append("{address: ").append(links.get(i).address())
                    .append(", name: ").append(name).append('}');
        }
        Path file = dir.resolve("topology.json");
        Files.writeString(file, topology.append("]}").toString());
        Gateway g = servers.gateway(Configs.gateway("  admin: {address: 127.0.0.1:0, dashboard: {topology: " + file + "}}\n"
                + "  upstreams:\n    app:\n      endpoints: [" + endpoints + "]\n"
                + "      health: {active: {enabled: true, interval: 200ms, timeout: 1s}, slow_start: 0s}\n"));

        browser.get("http://127.0.0.1:" + g.adminAddress().getPort() + "/_strata/");
        assertThat(browser.getTitle()).isEqualTo("Strata dashboard");
        wait.until(b -> b.findElements(By.cssSelector("#endpoints tr.endpoint")).size() == 3);
        for (String node : List.of("client", "gateway", "links-1", "links-2", "links-3", "postgres")) {
            wait.until(b -> !b.findElements(By.cssSelector("#topology g.node[data-node='" + node + "']")).isEmpty());
        }
        for (int i = 1; i <= 3; i++) {
            String node = "links-" + i;
            String address = links.get(i - 1).address();
            // read in one wait: a row read while the page redraws is read again
            String[] seen = wait.until(b -> {
                WebElement row = b.findElement(By.cssSelector("#endpoints tr[data-node='" + node + "']"));
                return new String[] {row.getText(), row.getDomAttribute("data-state")};
            });
            assertThat(seen[0]).contains(node, address);
            assertThat(seen[1]).isEqualTo("healthy");
        }
        assertThat(read(b -> b.findElement(By.cssSelector("#nodes tr[data-node='postgres']")).getText()))
                .contains("postgres", "UP");

        nodes[1].destroyForcibly().waitFor();
        links.get(1).stop();
        wait.until(b -> "down".equals(b.findElement(By.cssSelector("#endpoints tr[data-node='links-2']"))
                .getDomAttribute("data-state")));
        assertThat(read(b -> b.findElement(By.cssSelector("#endpoints tr[data-node='links-2'] .badge")).getText()))
                .isEqualTo("DOWN");
        wait.until(b -> "down".equals(b.findElement(By.cssSelector("#topology g.node[data-node='links-2']"))
                .getDomAttribute("data-state")));
        wait.until(b -> b.findElement(By.id("events")).getText().contains("links-2"));
        assertThat(read(b -> b.findElement(By.cssSelector("#endpoints tr[data-node='links-1']")).getDomAttribute("data-state")))
                .as("only the killed node is down").isNotEqualTo("down");
        assertThat(read(b -> b.findElement(By.id("status")).getText())).startsWith("live");
    }
}
