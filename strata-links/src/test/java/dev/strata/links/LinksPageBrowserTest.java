package dev.strata.links;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.data.testing.PostgresExtension;
import dev.strata.links.token.ManageTokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
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
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page at {@code /} in a real browser: a user creates a short link with the form, follows it,
 * looks up its clicks, and sees the server's problem detail when the input is refused.
 *
 * <p>Drives Debian's Chromium through its ChromeDriver (packages {@code chromium} and
 * {@code chromium-driver}), both named by path so that Selenium Manager never looks for, or
 * downloads, a browser or a driver. Without them the test fails rather than skips: a page nobody
 * ran in a browser is not tested. Every target is the node itself; the test needs no network.
 * A screenshot of each test's last state goes to {@code target/browser/}.
 */
class LinksPageBrowserTest {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final Path SCREENSHOTS = Path.of("target", "browser");
    static final Duration PATIENCE = Duration.ofSeconds(30);

    @RegisterExtension
    static final PostgresExtension PG = new PostgresExtension();

    @TempDir
    static Path profile;

    static LinksNode node;
    static ChromeDriver browser;
    static WebDriverWait wait;

    @BeforeAll
    static void start() throws IOException {
        for (Path binary : new Path[] {CHROMIUM, CHROMEDRIVER}) {
            if (!Files.isExecutable(binary)) {
                throw new AssertionError(binary + " is missing: this test drives Debian's Chromium; install it with"
                        + " `apt-get install chromium chromium-driver` (.ci/run does so when it runs as root)");
            }
        }
        node = LinksNode.start(TestNodes.config("links-page"), PG.dataConfig());

        Files.createDirectories(SCREENSHOTS);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(SCREENSHOTS.resolve("chromedriver.log").toFile())
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1024,900", "--user-data-dir=" + profile.toAbsolutePath());
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(PATIENCE);
        wait = new WebDriverWait(browser, PATIENCE);
    }

    @AfterAll
    static void stop() {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            if (node != null) {
                node.close();
            }
        }
    }

    @AfterEach
    void screenshot(TestInfo test) throws IOException {
        if (browser != null) {
            Path png = browser.getScreenshotAs(OutputType.FILE).toPath();
            Files.copy(png, SCREENSHOTS.resolve(test.getTestMethod().orElseThrow().getName() + ".png"),
                    StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Test
    void createFollowAndLookUpALink() {
        String target = node.url() + "/healthz";
        String code = "from-browser";
        browser.get(node.url() + "/");
        assertThat(browser.getTitle()).isEqualTo("Strata links");
        assertThat(browser.findElement(By.cssSelector(".node code")).getText()).isEqualTo("links-page");

        create(target, code);
        WebElement shortUrl = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("short-url")));
        assertThat(shortUrl.getText()).isEqualTo(node.url() + "/" + code);
        assertThat(shortUrl.getDomProperty("href")).isEqualTo(node.url() + "/" + code);
        assertThat(browser.findElement(By.id("token")).getText())
                .isEqualTo(new ManageTokens(TestNodes.SECRET).issue(code));
        assertThat(browser.findElement(By.id("error")).isDisplayed()).isFalse();

        // The user follows the link: the browser takes the 302 and lands on the target.
        shortUrl.click();
        wait.until(ExpectedConditions.urlToBe(target));
        assertThat(browser.findElement(By.tagName("body")).getText()).contains("\"status\":\"alive\"");

        browser.get(node.url() + "/");
        lookUp(code);
        WebElement clicks = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("stats-clicks")));
        assertThat(browser.findElement(By.id("stats-url")).getText()).isEqualTo(target);
        // At least one: the stats include this node's clicks not yet written, so the follow above
        // is counted; a browser that also prefetched the link on hover may have added one.
        assertThat(Long.parseLong(clicks.getText())).isGreaterThanOrEqualTo(1);
        assertThat(browser.findElement(By.id("stats-created")).getText()).isNotBlank();
    }

    @Test
    void refusedInputShowsTheProblemDetail() {
        String target = node.url() + "/healthz";
        browser.get(node.url() + "/");

        create(target, "taken-code");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("short-url")));
        create(target, "taken-code");
        WebElement error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("error")));
        assertThat(error.getText()).isEqualTo("Conflict: code: 'taken-code' is taken");
        assertThat(browser.findElement(By.id("created")).isDisplayed())
                .as("the previous link's result stays up beside the error").isFalse();

        // A good request afterwards clears the error.
        lookUp("taken-code");
        wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("stats")));
        assertThat(browser.findElement(By.id("error")).isDisplayed()).isFalse();
        assertThat(browser.findElement(By.id("stats-clicks")).getText()).isEqualTo("0");

        lookUp("no-such-code");
        error = wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("error")));
        assertThat(error.getText()).isEqualTo("Not Found: no link with code 'no-such-code'");
        assertThat(browser.findElement(By.id("stats")).isDisplayed())
                .as("the previous link's stats stay up beside the error").isFalse();
    }

    private static void create(String url, String code) {
        WebElement form = browser.findElement(By.id("create"));
        fill(form.findElement(By.name("url")), url);
        fill(form.findElement(By.name("code")), code);
        form.findElement(By.cssSelector("button[type=submit]")).click();
    }

    private static void lookUp(String code) {
        WebElement form = browser.findElement(By.id("lookup"));
        fill(form.findElement(By.name("code")), code);
        form.findElement(By.cssSelector("button[type=submit]")).click();
    }

    private static void fill(WebElement input, String text) {
        input.clear();
        input.sendKeys(text);
    }
}
