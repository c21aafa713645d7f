package dev.diskstore.ui;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.diskstore.server.DiskStoreServer;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The web view in a real browser: headless Chromium (Debian's, driven by Selenium) against a
 * {@link DiskStoreServer} with the web view on a temporary store, as a user would use it — sign
 * in, disks, browse, previews of every kind, metadata, uploads, search, move, delete, history —
 * and as an attacker would try it: stored HTML, SVG and Markdown with script, previewed and
 * opened directly, never run script in the server's origin. After every test the browser's
 * console must hold no Content-Security-Policy violation and no uncaught error.
 *
 * <p>One server and one browser for the class (the tests make disks of their own). Screenshots of
 * the main screens go to {@code target/ui-screenshots/} (the README's images are copies).
 */
class WebUiTest {
  @TempDir static Path dir;
  static UiFixture fixture;
  static Browser browser;
  static Path screenshots = Path.of("target", "ui-screenshots");
  static final AtomicInteger loads = new AtomicInteger();

  /** On a failure: a screenshot, the page's HTML and the console, in target/ui-failures/. */
  @RegisterExtension
  static final TestWatcher FAILURES =
      new TestWatcher() {
        @Override
        public void testFailed(ExtensionContext context, Throwable cause) {
          if (browser == null) {
            return;
          }
          String name = context.getRequiredTestMethod().getName();
          Path out = Path.of("target", "ui-failures");
          try {
            browser.screenshot(out.resolve(name + ".png"));
            Files.writeString(out.resolve(name + ".html"), browser.driver.getPageSource());
            Files.write(out.resolve(name + ".console.txt"), browser.drainConsole());
          } catch (RuntimeException | IOException e) {
            cause.addSuppressed(e);
          }
        }
      };

  @BeforeAll
  static void start() throws IOException {
    if (Browser.unavailable() == null) {
      browser = Browser.start(Files.createDirectories(dir.resolve("downloads")));
      fixture = new UiFixture(dir.resolve("store"));
    }
  }

  @AfterAll
  static void stop() {
    if (browser != null) {
      browser.close();
    }
    if (fixture != null) {
      fixture.close();
    }
  }

  @BeforeEach
  void signedIn() {
    assumeTrue(browser != null, Browser.unavailable());
    browser.driver.get(fixture.ui());
    browser.js("sessionStorage.setItem('diskstore.token', arguments[0])", UiFixture.TOKEN);
  }

  @AfterEach
  void noCspViolationsOrUncaughtErrors() {
    if (browser == null) {
      return;
    }
    List<String> bad =
        browser.drainConsole().stream()
            .filter(m -> m.contains("Content Security Policy") || m.contains("Content-Security-Policy")
                || m.contains("Uncaught"))
            .collect(Collectors.toList());
    assertThat(bad).as("CSP violations and uncaught errors in the browser console").isEmpty();
  }

  // ------------------------------------------------------------------ helpers

  /** Loads the page anew at a route ("#/browse?..."); sessionStorage (the token) survives. */
  void open(String route) {
    browser.driver.get(fixture.ui() + "?load=" + loads.incrementAndGet() + route);
  }

  static String route(String name, String... pairs) {
    StringBuilder s = new StringBuilder("#/" + name);
    for (int i = 0; i < pairs.length; i += 2) {
      s.append(i == 0 ? '?' : '&').append(pairs[i]).append('=').append(UiFixture.enc(pairs[i + 1]));
    }
    return s.toString();
  }

  WebDriverWait waiting() {
    return new WebDriverWait(browser.driver, Duration.ofSeconds(10));
  }

  WebElement find(String css) {
    return waiting().until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector(css)));
  }

  List<WebElement> all(String css) {
    return browser.driver.findElements(By.cssSelector(css));
  }

  void waitForText(String css, String text) {
    waiting().until(ExpectedConditions.textToBePresentInElementLocated(By.cssSelector(css), text));
  }

  List<String> texts(String css) {
    return all(css).stream().map(WebElement::getText).collect(Collectors.toList());
  }

  void shot(String name) {
    browser.screenshot(screenshots.resolve(name + ".png"));
  }

  /** Presses the dialog's button with this data-action. */
  void dialogButton(String action) {
    find("dialog[open] button[data-action='" + action + "']").click();
  }

  void type(WebElement input, String text) {
    input.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
    input.sendKeys(text);
  }

  // ------------------------------------------------------------------ tests

  @Test
  void signInRefusesAWrongTokenAndKeepsTheRightOneForTheTab() {
    browser.js("sessionStorage.clear()");
    open("#/disks");
    WebElement token = find("#token");
    token.sendKeys("sk-ac-wrong");
    find("#sign-in").click();
    waitForText("#login-error", "refused");
    assertThat(browser.js("return sessionStorage.getItem('diskstore.token')")).isNull();
    type(find("#token"), UiFixture.TOKEN);
    find("#sign-in").click();
    waitForText("main h1", "Disks");
    assertThat(browser.js("return sessionStorage.getItem('diskstore.token')")).isEqualTo(UiFixture.TOKEN);
    find("#sign-out").click();
    find("#token");
    assertThat(browser.js("return sessionStorage.getItem('diskstore.token')")).isNull();
    browser.drainConsole(); // the refused sign-in logged its 401: expected
  }

  @Test
  void disksArePagedFilteredByUserCreatedAndDeletedOnlyInTheTokensProject() {
    List<String> mine = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      mine.add(fixture.createDisk(UiFixture.TOKEN, "disks-user"));
    }
    String foreign = fixture.createDisk(UiFixture.OTHER_TOKEN, "disks-user");

    open(route("disks", "user", "disks-user", "limit", "2"));
    find("#disks");
    List<String> firstPage = texts("#disks .disk-link");
    assertThat(firstPage).hasSize(2);
    find("#next-page").click();
    waiting().until(d -> {
      List<String> now = texts("#disks .disk-link");
      return !now.isEmpty() && !now.equals(firstPage);
    });
    List<String> seen = new ArrayList<>(firstPage);
    seen.addAll(texts("#disks .disk-link"));
    assertThat(all("#next-page")).isEmpty();
    assertThat(seen).containsExactlyInAnyOrderElementsOf(mine).doesNotContain(foreign);
    assertThat(texts("#disks td.user")).containsOnly("disks-user");
    // another project's disk, asked for by id: as missing as a disk that never was
    open(route("browse", "disk", foreign, "path", "/"));
    waitForText("main .error", "disk not found");
    browser.drainConsole(); // its 404 is logged

    // the filter form
    open(route("disks"));
    type(find("#user-filter"), "nobody-has-this-user");
    find("#filter-form button[type=submit]").click();
    waitForText("main .empty", "No disks of this user");

    // create, then delete with confirmation (cancel first)
    open(route("disks"));
    type(find("#new-disk-user"), "created-in-ui");
    find("#create-disk").click();
    waiting().until(d -> d.getCurrentUrl().contains("#/browse?disk="));
    JsonNode created = fixture.data(fixture.send(fixture.request("/disk?user=created-in-ui", UiFixture.TOKEN).GET()));
    assertThat(created.get("items")).hasSize(1);
    String id = created.get("items").get(0).get("id").asText();

    open(route("disks", "limit", "200"));
    shot("disks");
    find("tr[data-disk='" + id + "'] .delete-disk").click();
    dialogButton("cancel");
    assertThat(all("tr[data-disk='" + id + "']")).hasSize(1);
    find("tr[data-disk='" + id + "'] .delete-disk").click();
    dialogButton("ok");
    waiting().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("tr[data-disk='" + id + "']"), 0));
    assertThat(fixture.store.disks().find(id)).isEmpty();
  }

  @Test
  void browsingShowsBreadcrumbsDirectoriesFirstSortedAndPaged() {
    String disk = fixture.createDisk();
    fixture.upload(disk, "/docs/2024/", "plan.md", "# Plan");
    fixture.upload(disk, "/docs/archive/", "old.txt", "old");
    fixture.upload(disk, "/docs/", "zeta.txt", "z");
    fixture.upload(disk, "/docs/", "alpha.txt", "a".repeat(2048));
    fixture.upload(disk, "/docs/", "beta.json", "{\"b\":1}");

    open(route("browse", "disk", disk, "path", "/docs/", "limit", "3"));
    find("#listing");
    assertThat(all("#listing tbody tr").stream().map(r -> r.getAttribute("data-name")))
        .containsExactly("2024", "archive", "alpha.txt");
    find("#load-more").click();
    waiting().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("#listing tbody tr"), 5));
    assertThat(all("#listing tbody tr").stream().map(r -> r.getAttribute("data-name")))
        .containsExactly("2024", "archive", "alpha.txt", "beta.json", "zeta.txt");
    assertThat(all("#load-more").get(0).isDisplayed()).isFalse();
    WebElement alpha = find("tr[data-name='alpha.txt']");
    assertThat(alpha.findElement(By.cssSelector(".size")).getText()).isEqualTo("2.0 KB");
    assertThat(alpha.findElement(By.cssSelector(".type")).getText()).startsWith("text/plain");
    assertThat(alpha.findElement(By.cssSelector(".etag")).getText())
        .isEqualTo(fixture.get(disk, "/docs/alpha.txt").get("meta").get("__artifact_info__").get("etag").asText().substring(0, 10));
    assertThat(alpha.findElement(By.cssSelector(".modified")).getText()).isNotBlank();

    // into a directory, and back with the breadcrumbs
    find("tr[data-name='2024'] .dir-link").click();
    find("tr[data-name='plan.md']");
    assertThat(texts("#crumbs .crumb")).containsExactly("Disks", disk.substring(0, 8) + "…", "docs", "2024");
    find("#crumbs a.crumb:nth-of-type(3)").click();
    find("tr[data-name='archive']");

    open(route("browse", "disk", disk, "path", "/docs/"));
    find("tr[data-name='zeta.txt']");
    shot("browse");
  }

  @Test
  void everyKindOfFileHasItsPreview() throws Exception {
    String disk = fixture.createDisk();
    fixture.upload(disk, "/p/", "notes.md",
        "# Sprint notes\n\nSome **bold** text and a [link](https://example.org).\n\n"
            + "| who | what |\n|---|---|\n| alice | review |\n\n```python\nprint('hi')\n```\n\n- one\n- two\n");
    fixture.upload(disk, "/p/", "app.py", "import os\n\ndef main():\n    return os.getcwd()\n");
    fixture.upload(disk, "/p/", "data.json", "{\"name\": \"disk\", \"tags\": [\"a\", \"b\"], \"nested\": {\"deep\": {\"x\": 1}}}");
    fixture.upload(disk, "/p/", "table.csv", "city,population\nParis,2100000\n\"Ber, lin\",3600000\n");
    fixture.upload(disk, "/p/", "pixel.png", png(), null);
    fixture.upload(disk, "/p/", "report.pdf", pdf("Quarterly numbers are up"), null);
    byte[] binary = new byte[3000];
    new Random(1).nextBytes(binary);
    binary[10] = 0;
    fixture.upload(disk, "/p/", "blob.bin", binary, null);
    String line = "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789\n";
    fixture.upload(disk, "/p/", "big.log", line.repeat(4000).getBytes(UTF_8), null); // 324 KB: previewed by range

    open(route("file", "disk", disk, "path", "/p/notes.md"));
    waitForText("#preview article.markdown h1", "Sprint notes");
    assertThat(find("#preview article.markdown strong").getText()).isEqualTo("bold");
    assertThat(texts("#preview article.markdown table td")).containsExactly("alice", "review");
    assertThat(find("#preview article.markdown a").getAttribute("rel")).contains("noopener");
    find("#preview article.markdown code.hljs[data-language='python'] .hljs-built_in"); // fenced code
    shot("preview-markdown");

    open(route("file", "disk", disk, "path", "/p/app.py"));
    find("#preview code.hljs[data-language='python'] .hljs-keyword");
    assertThat(find("#preview code").getText()).contains("def main():");

    open(route("file", "disk", disk, "path", "/p/data.json"));
    WebElement nested = find("#preview .json-tree details details");
    assertThat(find("#preview .json-tree").getText()).contains("\"name\": \"disk\"").contains("3 keys");
    WebElement deep = find("#preview .json-tree details details details");
    assertThat(deep.getAttribute("open")).isNull(); // folded below the second level
    nested.findElement(By.cssSelector("summary")).click();
    waiting().until(d -> nested.getAttribute("open") == null);

    open(route("file", "disk", disk, "path", "/p/table.csv"));
    find("#preview table.csv");
    assertThat(texts("#preview table.csv th")).containsExactly("city", "population");
    assertThat(texts("#preview table.csv td")).containsExactly("Paris", "2100000", "Ber, lin", "3600000");

    open(route("file", "disk", disk, "path", "/p/pixel.png"));
    WebElement img = find("#preview img.preview-image");
    assertThat(img.getAttribute("src")).startsWith("blob:");
    waiting().until(d -> ((Number) browser.js("return arguments[0].naturalWidth", img)).intValue() == 4);

    open(route("file", "disk", disk, "path", "/p/report.pdf"));
    waitForText("#preview .extracted pre", "Quarterly numbers are up");
    assertThat(find("#preview button.open-pdf").getText()).contains("PDF viewer");

    open(route("file", "disk", disk, "path", "/p/big.log"));
    waitForText("#preview .partial", "Showing the first 256 KB of 324 KB");
    assertThat(((Number) browser.js("return document.querySelector('#preview code').textContent.length")).intValue())
        .isEqualTo(256 * 1024);
    find("#preview .partial button").click(); // the next range: 4 x 256 KB covers the rest
    waiting().until(d -> all("#preview .partial").isEmpty());
    assertThat(((Number) browser.js("return document.querySelector('#preview code').textContent.length")).intValue())
        .isEqualTo(line.length() * 4000);

    open(route("file", "disk", disk, "path", "/p/blob.bin"));
    find("#preview[data-kind='binary'] button.download-binary").click();
    Path saved = browser.downloads.resolve("blob.bin");
    waiting().until(d -> Files.exists(saved) && sameBytes(saved, binary));
  }

  @Test
  void metadataIsEditedAsJsonWithInlineErrorsAndTheSystemInfoIsReadOnly() {
    String disk = fixture.createDisk();
    fixture.upload(disk, "/m/", "spec.md", "# Spec".getBytes(UTF_8), "{\"author\":\"alice\",\"pages\":3}");
    open(route("file", "disk", disk, "path", "/m/spec.md", "tab", "meta"));
    WebElement editor = find("#meta-editor");
    assertThat(editor.getAttribute("value")).contains("\"author\": \"alice\"").doesNotContain("__artifact_info__");
    assertThat(find("#system-info").getText()).contains("sha256").contains("etag").contains("size_bytes");
    assertThat(all("#system-info input, #system-info textarea")).isEmpty();

    type(editor, "{\"author\": ");
    find("#meta-save").click();
    waitForText("#meta-error", "Not valid JSON");
    assertThat(editor.getAttribute("aria-invalid")).isEqualTo("true");
    type(editor, "[1, 2]");
    find("#meta-save").click();
    waitForText("#meta-error", "must be a JSON object");
    shot("metadata");
    type(editor, "{\"__artifact_info__\": {}}");
    find("#meta-save").click();
    waitForText("#meta-error", "system info");

    type(editor, "{\"author\": \"bob\", \"reviewed\": true}");
    find("#meta-save").click();
    waitForText("#toast", "Metadata saved");
    assertThat(all("#meta-error").get(0).isDisplayed()).isFalse();
    assertThat(find(".fact.etag").getText()).endsWith(
        fixture.get(disk, "/m/spec.md").get("meta").get("__artifact_info__").get("etag").asText());
    JsonNode meta = fixture.get(disk, "/m/spec.md").get("meta");
    assertThat(meta.get("author").asText()).isEqualTo("bob");
    assertThat(meta.get("reviewed").asBoolean()).isTrue();
    assertThat(meta.has("pages")).isFalse();
  }

  @Test
  void foldersAndFilesUploadFromTheFileInputsAndByDrop(@TempDir Path local) throws IOException {
    String disk = fixture.createDisk();
    Path project = Files.createDirectories(local.resolve("project"));
    Files.writeString(project.resolve("readme.md"), "# Project");
    Files.createDirectories(project.resolve("src"));
    Files.writeString(project.resolve("src").resolve("main.py"), "print('up')");
    Files.write(project.resolve("src").resolve("big.bin"), new byte[300_000]);

    open(route("browse", "disk", disk, "path", "/inbox/"));
    find("#listing");
    browser.driver.findElement(By.cssSelector("#upload-folder")).sendKeys(project.toString());
    waitForText(".upload-status", "3 of 3 uploaded");
    assertThat(all("#uploads li.done")).hasSize(3);
    WebElement overall = find("#upload-progress");
    assertThat(overall.getAttribute("value")).isEqualTo(overall.getAttribute("max"));
    // the bars moved on the XHR's upload progress events
    assertThat(Integer.parseInt(find("#uploads").getAttribute("data-progress-events"))).isGreaterThanOrEqualTo(3);
    find("tr[data-name='project']");
    assertThat(fixture.text(disk, "/inbox/project/src/main.py")).isEqualTo("print('up')");
    assertThat(fixture.get(disk, "/inbox/project/src/big.bin").get("meta").get("__artifact_info__").get("size").asLong())
        .isEqualTo(300_000);

    Path one = Files.writeString(local.resolve("one.txt"), "first");
    Path two = Files.writeString(local.resolve("two.txt"), "second");
    browser.driver.findElement(By.cssSelector("#upload-files")).sendKeys(one + "\n" + two);
    waitForText(".upload-status", "2 of 2 uploaded");
    assertThat(all("#uploads")).hasSize(1);
    find("tr[data-name='two.txt']");
    assertThat(fixture.text(disk, "/inbox/one.txt")).isEqualTo("first");

    // a drop, as the page receives it (a synthetic DataTransfer: real drags cannot be scripted)
    browser.js(
        "const dt = new DataTransfer();"
            + "dt.items.add(new File(['dropped bytes'], 'dropped.txt', {type: 'text/plain'}));"
            + "document.getElementById('drop-zone').dispatchEvent("
            + "  new DragEvent('drop', {dataTransfer: dt, bubbles: true, cancelable: true}));");
    waitForText(".upload-status", "1 of 1 uploaded");
    find("tr[data-name='dropped.txt']");
    assertThat(fixture.text(disk, "/inbox/dropped.txt")).isEqualTo("dropped bytes");
  }

  @Test
  void searchByGlobGrepFullTextAndMetadata() {
    String disk = fixture.createDisk();
    fixture.upload(disk, "/notes/", "todo.md", "# Todo\n\n- TODO: ship the web view\n- done: tests\n".getBytes(UTF_8),
        "{\"author\":\"bob\"}");
    fixture.upload(disk, "/src/", "main.py", "print('hello')\n# todo fix the loop\n".getBytes(UTF_8), null);
    fixture.upload(disk, "/reports/", "q3.txt", "The quarterly revenue grew by ten percent.".getBytes(UTF_8),
        "{\"author\":\"alice\",\"pages\":12}");

    open(route("search", "disk", disk));
    find("#search-query").sendKeys("**/*.py");
    find("#search-go").click();
    waitForText("#result-count", "1 result");
    assertThat(texts("#search-results .result-link")).containsExactly("/src/main.py");

    open(route("search", "disk", disk, "mode", "grep", "q", "todo"));
    waitForText("#result-count", "2 results");
    assertThat(texts("#search-results .result-link")).containsExactlyInAnyOrder("/notes/todo.md", "/src/main.py");
    assertThat(texts("li.result[data-path='/notes/todo.md'] .match"))
        .containsExactly("1\n# Todo", "3\n- TODO: ship the web view");
    shot("search");

    open(route("search", "disk", disk, "mode", "text", "q", "quarterly revenue"));
    waitForText("#result-count", "1 result");
    assertThat(texts("#search-results mark")).contains("quarterly", "revenue");

    open(route("search", "disk", disk));
    new org.openqa.selenium.support.ui.Select(find("#search-mode")).selectByValue("meta");
    WebElement query = find("#search-meta");
    type(query, "{\"key\": \"author\", \"op\": \"eq\"");
    find("#search-go").click();
    waitForText("#search-error", "Not valid JSON");
    type(query, "{\"key\": \"author\", \"op\": \"eq\", \"value\": \"alice\"}");
    find("#search-go").click();
    waitForText("#result-count", "1 result");
    assertThat(texts("#search-results .result-link")).containsExactly("/reports/q3.txt");

    // the server's own refusal of a bad query shows inline too
    open(route("search", "disk", disk, "mode", "meta", "q", "{\"key\": \"author\", \"op\": \"zz\"}"));
    waitForText("#search-error", "op");
  }

  @Test
  void filesAreMovedRenamedAndDeletedWithConfirmation() {
    String disk = fixture.createDisk();
    fixture.upload(disk, "/a/", "old.txt", "moving bytes");
    fixture.upload(disk, "/b/", "taken.txt", "already here");

    open(route("browse", "disk", disk, "path", "/a/"));
    find("tr[data-name='old.txt'] button.move").click();
    type(find("#move-to"), "/b/taken.txt");
    dialogButton("move");
    waitForText("dialog[open] .error", "Replace");
    type(find("#move-to"), "/b/new.txt");
    dialogButton("move");
    waitForText("#toast", "Moved to /b/new.txt");
    waitForText("main .empty", "This folder is empty");
    assertThat(fixture.status(disk, "/a/old.txt")).isEqualTo(404);
    assertThat(fixture.text(disk, "/b/new.txt")).isEqualTo("moving bytes");

    // rename from the file screen
    open(route("file", "disk", disk, "path", "/b/new.txt"));
    find("#move").click();
    type(find("#move-to"), "/b/renamed.txt");
    dialogButton("move");
    waitForText("#file-name", "renamed.txt");
    assertThat(fixture.text(disk, "/b/renamed.txt")).isEqualTo("moving bytes");

    open(route("browse", "disk", disk, "path", "/b/"));
    find("tr[data-name='renamed.txt'] button.delete").click();
    dialogButton("cancel");
    assertThat(fixture.status(disk, "/b/renamed.txt")).isEqualTo(200);
    find("tr[data-name='renamed.txt'] button.delete").click();
    dialogButton("ok");
    waiting().until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("tr[data-name='renamed.txt']"), 0));
    assertThat(fixture.status(disk, "/b/renamed.txt")).isEqualTo(404);
    assertThat(all("tr[data-name='taken.txt']")).hasSize(1);
  }

  @Test
  void historyPreviewsAnOldVersionAndRestoresIt() {
    String disk = fixture.createDisk();
    fixture.upload(disk, "/h/", "doc.md", "# First draft\n");
    fixture.upload(disk, "/h/", "doc.md", "# Second draft\n\nrewritten by an agent\n");
    fixture.data(fixture.send(fixture.request("/disk/" + disk + "/artifact", UiFixture.TOKEN)
        .header("Content-Type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString("{\"file_path\":\"/h/doc.md\",\"meta\":\"{\\\"reviewed\\\":true}\"}"))));

    open(route("file", "disk", disk, "path", "/h/doc.md", "tab", "history"));
    find("#history");
    assertThat(all("#history tr.version-row").stream().map(r -> r.getAttribute("data-version")))
        .containsExactly("2", "1", "0");
    assertThat(texts("#history .change")).containsExactly("updated (current)", "upserted", "upserted");
    assertThat(all("tr[data-version='2'] .restore-version")).isEmpty();
    shot("history");

    find("tr[data-version='0'] .view-version").click();
    waitForText("#preview article.markdown h1", "First draft");
    assertThat(find("#version-banner").getText()).contains("version 0");
    find("#restore-shown").click();
    dialogButton("ok");
    waitForText("#toast", "Restored version 0");
    find("#history");
    assertThat(texts("#history .change").get(0)).isEqualTo("restored (current)");
    assertThat(fixture.text(disk, "/h/doc.md")).isEqualTo("# First draft\n");

    // an old version downloads through the API (its own bytes)
    find("tr[data-version='2'] .download-version").click();
    Path saved = browser.downloads.resolve("doc.md");
    waiting().until(d -> Files.exists(saved) && sameBytes(saved, "# Second draft\n\nrewritten by an agent\n".getBytes(UTF_8)));

    // deleted from its screen, and brought back through the toast's link (an undelete)
    open(route("file", "disk", disk, "path", "/h/doc.md"));
    find("#delete").click();
    dialogButton("ok");
    find("#toast a.undo").click();
    find("#gone-banner");
    assertThat(texts("#history .change").get(0)).isEqualTo("deleted");
    assertThat(all("tr[data-version='4'] .restore-version")).isEmpty(); // a removal has no content
    find("tr[data-version='3'] .restore-version").click();
    dialogButton("ok");
    waitForText("#toast", "Restored version 3");
    assertThat(fixture.text(disk, "/h/doc.md")).isEqualTo("# First draft\n");
  }

  @Test
  void storedHtmlSvgAndMarkdownNeverRunScriptPreviewedOrOpenedDirectly() throws Exception {
    String disk = fixture.createDisk();
    String payload = "localStorage.setItem('pwned', location.href); document.title = 'pwned'; window.pwned = true;";
    fixture.upload(disk, "/x/", "evil.html",
        "<!doctype html><title>evil</title><script>" + payload + "</script>"
            + "<img src=x onerror=\"" + payload + "\"><p>hello</p>");
    fixture.upload(disk, "/x/", "evil.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\" onload=\"" + payload + "\">"
            + "<script>" + payload + "</script><rect width=\"10\" height=\"10\" fill=\"red\"/></svg>");
    fixture.upload(disk, "/x/", "evil.md",
        "# Hello\n\n<script>" + payload + "</script>\n\n<img src=\"x\" onerror=\"" + payload + "\">\n\n"
            + "[click](javascript:alert(1)) <a href=\"javascript:alert(2)\">also</a>\n\n"
            + "<iframe src=\"javascript:alert(3)\"></iframe><svg><script>" + payload + "</script></svg>\n\n"
            + "<span style=\"color:red\">styled</span>\n");

    open(route("file", "disk", disk, "path", "/x/evil.html"));
    waitForText("#preview code", "<script>");
    assertNothingRan();

    open(route("file", "disk", disk, "path", "/x/evil.svg"));
    WebElement img = find("#preview img.preview-image");
    assertThat(img.getAttribute("src")).startsWith("blob:");
    waiting().until(d -> ((Number) browser.js("return arguments[0].naturalWidth", img)).intValue() == 10);
    assertNothingRan();

    open(route("file", "disk", disk, "path", "/x/evil.md"));
    waitForText("#preview article.markdown h1", "Hello");
    assertThat(all("#preview script, #preview iframe, #preview svg, #preview [onerror], #preview [style]")).isEmpty();
    assertThat(all("#preview a[href^='javascript']")).isEmpty();
    assertNothingRan();

    // opened directly: the download URL (as the API hands it out, no token needed) ...
    for (String name : List.of("evil.html", "evil.svg")) {
      navigateExpectingDownload(fixture.publicUrl(disk, "/x/" + name));
      assertThat(browser.driver.getTitle()).isNotEqualTo("pwned");
    }
    // ... and the API's download route on a server without tokens (so a browser may open it)
    try (DiskStoreServer open = DiskStoreServer.builder(fixture.store).port(0).webUi(true).build().start()) {
      String openDisk = fixture.store.disks().create().id();
      fixture.store.disks().artifacts().upsert(openDisk,
          dev.diskstore.FileUpload.of("evil.html", ("<script>" + payload + "</script>").getBytes(UTF_8)), "/");
      fixture.store.disks().artifacts().upsert(openDisk,
          dev.diskstore.FileUpload.of("evil.svg", ("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>"
              + payload + "</script></svg>").getBytes(UTF_8)), "/");
      for (String name : List.of("evil.html", "evil.svg")) {
        navigateExpectingDownload(open.baseUri() + "/disk/" + openDisk + "/artifact/download?file_path=%2F" + name);
        assertThat(browser.driver.getTitle()).isNotEqualTo("pwned");
      }
      browser.driver.get(open.uiUri().orElseThrow().toString());
      waitForText("main h1", "Disks"); // a server without tokens needs no sign-in
      assertThat(browser.js("return localStorage.getItem('pwned')")).isNull();
    }
    browser.driver.get(fixture.ui());
    find("#main");
    assertNothingRan();
    browser.drainConsole(); // the direct navigations log aborted loads (downloads): expected
  }

  /** Navigates to a URL that answers with an attachment: the browser saves it and stays. */
  void navigateExpectingDownload(String url) {
    try {
      browser.driver.get(url);
    } catch (WebDriverException e) {
      // a navigation that turns into a download may be reported as aborted
    }
  }

  void assertNothingRan() {
    assertThat(browser.driver.getTitle()).isEqualTo("DiskStore");
    assertThat(browser.js("return localStorage.getItem('pwned')")).isNull();
    assertThat(browser.js("return window.pwned === undefined")).isEqualTo(true);
  }

  @Test
  void theBrowserEnforcesTheContentSecurityPolicy() {
    open(route("disks"));
    find("main h1");
    browser.drainConsole();
    browser.js("const s = document.createElement('script'); s.textContent = 'window.inlineRan = true';"
        + " document.head.append(s);"
        + " const b = document.createElement('button'); b.setAttribute('onclick', 'window.handlerRan = true');"
        + " document.body.append(b); b.click();");
    assertThat(browser.js("return window.inlineRan === undefined && window.handlerRan === undefined")).isEqualTo(true);
    List<String> console = browser.drainConsole();
    assertThat(console).anyMatch(m -> m.contains("Content Security Policy"));
  }

  @Test
  void securityHeadersOnThePageAndOnStoredBytes() {
    HttpResponse<byte[]> page = fixture.send(HttpRequest.newBuilder(URI.create(fixture.ui())).GET());
    assertThat(page.statusCode()).isEqualTo(200);
    String csp = page.headers().firstValue("Content-Security-Policy").orElse("");
    assertThat(csp).contains("default-src 'self'", "script-src 'self'", "style-src 'self'",
        "img-src 'self' blob: data:", "object-src 'none'", "frame-ancestors 'none'");
    assertThat(csp).doesNotContain("unsafe-inline", "unsafe-eval");
    assertThat(page.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
    String etag = page.headers().firstValue("ETag").orElseThrow();
    HttpResponse<byte[]> again = fixture.send(HttpRequest.newBuilder(URI.create(fixture.ui()))
        .header("If-None-Match", etag).GET());
    assertThat(again.statusCode()).isEqualTo(304);

    String disk = fixture.createDisk();
    fixture.upload(disk, "/", "evil.html", "<script>alert(1)</script>");
    for (HttpResponse<byte[]> bytes : List.of(
        fixture.send(fixture.request("/disk/" + disk + "/artifact/download?file_path=%2Fevil.html", UiFixture.TOKEN).GET()),
        fixture.send(HttpRequest.newBuilder(URI.create(fixture.publicUrl(disk, "/evil.html"))).GET()))) {
      assertThat(bytes.statusCode()).isEqualTo(200);
      assertThat(bytes.headers().firstValue("Content-Disposition").orElse("")).startsWith("attachment");
      assertThat(bytes.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
      assertThat(bytes.headers().firstValue("Content-Security-Policy").orElse("")).startsWith("sandbox");
    }
  }

  // ------------------------------------------------------------------ test data

  static boolean sameBytes(Path file, byte[] expected) {
    try {
      return java.util.Arrays.equals(Files.readAllBytes(file), expected);
    } catch (IOException e) {
      return false;
    }
  }

  static byte[] png() throws IOException {
    BufferedImage image = new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB);
    image.setRGB(0, 0, 0x2f5d8a);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(image, "png", out);
    return out.toByteArray();
  }

  static byte[] pdf(String text) throws IOException {
    try (PDDocument document = new PDDocument()) {
      PDPage page = new PDPage();
      document.addPage(page);
      try (PDPageContentStream content = new PDPageContentStream(document, page)) {
        content.beginText();
        content.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 14);
        content.newLineAtOffset(72, 700);
        content.showText(text);
        content.endText();
      }
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      document.save(out);
      return out.toByteArray();
    }
  }

}
