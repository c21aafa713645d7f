package dev.diskstore.ui;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * Headless Chromium driven by its chromedriver, both from Debian ({@code apt-get install chromium
 * chromium-driver}; {@code .ci/run} installs them), found at {@code /usr/bin} or at {@code
 * CHROME_BIN} / {@code CHROMEDRIVER}; {@link #unavailable()} says why the tests cannot run when
 * either is missing (the tests then skip themselves with that message). One browser serves a whole test class: starting Chromium
 * costs about a second, a test a fraction of that.
 *
 * <p>The browser's console is recorded ({@code goog:loggingPrefs}) so that tests can assert that
 * no Content-Security-Policy violation and no uncaught error happened; downloads go to {@link
 * #downloads}.
 */
final class Browser implements AutoCloseable {
  final ChromeDriver driver;
  final Path downloads;
  private final List<String> console = new ArrayList<>();

  private Browser(ChromeDriver driver, Path downloads) {
    this.driver = driver;
    this.downloads = downloads;
  }

  /** Why the browser tests cannot run here, or null when they can. */
  static String unavailable() {
    if (executable("CHROME_BIN", "/usr/bin/chromium") != null
        && executable("CHROMEDRIVER", "/usr/bin/chromedriver") != null) {
      return null;
    }
    return "the browser tests need headless Chromium and its driver (apt-get install chromium"
        + " chromium-driver, or set CHROME_BIN and CHROMEDRIVER); .ci/run installs them";
  }

  /** Starts Chromium; {@link #unavailable()} must be null. */
  static Browser start(Path downloads) {
    Path chromium = executable("CHROME_BIN", "/usr/bin/chromium");
    Path chromedriver = executable("CHROMEDRIVER", "/usr/bin/chromedriver");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(chromium.toFile());
    options.addArguments(
        "--headless=new",
        "--no-sandbox", // CI runs as root
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1280,800",
        "--lang=en-US",
        "--no-first-run",
        "--disable-extensions",
        "--disable-background-networking",
        "--disable-component-update");
    Map<String, Object> prefs = new HashMap<>();
    prefs.put("download.default_directory", downloads.toString());
    prefs.put("download.prompt_for_download", false);
    options.setExperimentalOption("prefs", prefs);
    LoggingPreferences logging = new LoggingPreferences();
    logging.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logging);
    ChromeDriverService service =
        new ChromeDriverService.Builder().usingDriverExecutable(chromedriver.toFile())
            .usingAnyFreePort().build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20));
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
    return new Browser(driver, downloads);
  }

  private static Path executable(String env, String fallback) {
    String configured = System.getenv(env);
    Path path = Path.of(configured != null && !configured.isBlank() ? configured : fallback);
    return Files.isExecutable(path) ? path : null;
  }

  /** Console messages since the last call, as "LEVEL message". */
  List<String> drainConsole() {
    for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
      console.add(e.getLevel() + " " + e.getMessage());
    }
    List<String> out = new ArrayList<>(console);
    console.clear();
    return out;
  }

  Object js(String script, Object... args) {
    return ((JavascriptExecutor) driver).executeScript(script, args);
  }

  /** A PNG of the window. */
  void screenshot(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    driver.quit();
  }
}
