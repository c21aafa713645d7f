package dev.diskstore.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.History;
import dev.diskstore.InvalidRequestException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * History on the command line, on a real embedded store in a temporary directory: {@code
 * versions}, {@code restore}, {@code get} / {@code cat --version}, their errors, and the {@code
 * history.*} settings, which are checked both as parsed and by what garbage collection then keeps.
 */
class HistoryCliTest {
  @TempDir Path tmp;
  private Path store;
  private String disk;

  @BeforeEach
  void createStore() {
    store = tmp.resolve("store");
    CliRun.Result created = CliRun.run("--store", store.toString(), "disks", "create");
    assertThat(created.exitCode()).as(created.toString()).isZero();
    disk = created.out().strip();
  }

  private CliRun.Result cli(String... args) {
    String[] all = Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--store";
    all[args.length + 1] = store.toString();
    return CliRun.run(all);
  }

  private static CliRun.Result ok(CliRun.Result result) {
    assertThat(result.exitCode()).as(result.toString()).isZero();
    return result;
  }

  private CliRun.Result ok(String... args) {
    return ok(cli(args));
  }

  private static void assertOneLineError(CliRun.Result result, int exitCode, String... contains) {
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(exitCode);
    assertThat(result.err()).startsWith("diskstore: ").contains(contains).doesNotContain("\tat ");
    assertThat(result.err().strip().lines()).hasSize(1);
  }

  /** Uploads {@code text} as {@code /docs/<name>} with the options given. */
  private JsonNode put(String name, String text, String... options) throws Exception {
    Path file = tmp.resolve("local").resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    String[] args = {"put", disk, file.toString(), "--to", "/docs/", "--json"};
    String[] all = Arrays.copyOf(args, args.length + options.length);
    System.arraycopy(options, 0, all, args.length, options.length);
    return ok(all).json().get("artifacts").get(0);
  }

  private static List<Long> numbers(JsonNode versions) {
    return StreamSupport.stream(versions.spliterator(), false)
        .map(v -> v.get("version").asLong()).toList();
  }

  private static List<String> changes(JsonNode versions) {
    return StreamSupport.stream(versions.spliterator(), false)
        .map(v -> v.get("change").asText()).toList();
  }

  // ------------------------------------------------------------------ versions

  @Test
  void versionsListsEveryChangeNewestFirstAsTextAndJson() throws Exception {
    JsonNode v0 = put("a.txt", "one\n");
    JsonNode v1 = put("a.txt", "second\n");
    ok("meta", "set", disk, "/docs/a.txt", "{\"reviewed\": true}");
    ok("rm", disk, "/docs/a.txt");

    JsonNode versions = ok("versions", disk, "/docs/a.txt", "--json").json();
    assertThat(versions.isArray()).isTrue();
    assertThat(numbers(versions)).containsExactly(3L, 2L, 1L, 0L);
    assertThat(changes(versions)).containsExactly("DELETED", "UPDATED", "UPSERTED", "UPSERTED");
    assertThat(versions.get(0).get("artifact").isNull()).isTrue();
    JsonNode updated = versions.get(1).get("artifact");
    assertThat(updated.get("meta").get("reviewed").asBoolean()).isTrue();
    assertThat(updated.get("sha256").asText()).isEqualTo(v1.get("sha256").asText());
    JsonNode first = versions.get(3).get("artifact");
    assertThat(first.get("etag").asText()).isEqualTo(v0.get("etag").asText());
    assertThat(first.get("size_bytes").asLong()).isEqualTo(4);
    assertThat(first.get("full_path").asText()).isEqualTo("/docs/a.txt");
    Instant newest = Instant.parse(versions.get(0).get("changed_at").asText());
    Instant oldest = Instant.parse(versions.get(3).get("changed_at").asText());
    assertThat(newest).isAfterOrEqualTo(oldest);

    // text: number, change, time, size, etag, SHA-256 prefix; - for the removal
    List<String[]> lines = ok("versions", disk, "docs/a.txt").out().lines()
        .map(l -> l.strip().split("\\s+")).toList();
    assertThat(lines).hasSize(4);
    assertThat(lines.get(0)).containsExactly("3", "DELETED",
        versions.get(0).get("changed_at").asText(), "-", "-", "-");
    assertThat(lines.get(3)).containsExactly("0", "UPSERTED",
        versions.get(3).get("changed_at").asText(), "4", v0.get("etag").asText(),
        v0.get("sha256").asText().substring(0, 12));
    assertThat(lines.get(2)[3]).isEqualTo("7");

    // --limit: only the newest N, across pages
    assertThat(numbers(ok("versions", disk, "/docs/a.txt", "--limit", "2", "--json").json()))
        .containsExactly(3L, 2L);
    assertThat(ok("versions", disk, "/docs/a.txt", "--limit", "10").out().lines()).hasSize(4);
    assertOneLineError(cli("versions", disk, "/docs/a.txt", "--limit", "0"), ExitCodes.USAGE,
        "--limit must be at least 1");
  }

  @Test
  void versionsPagesThroughAllOfALongHistory() {
    // more versions than one page of the listing (1,000), written through the API for speed
    int written = 1_005;
    Properties properties = new Properties();
    properties.setProperty("directory", store.toString());
    StoreSettings settings = StoreSettings.of("test", properties, tmp, name -> null);
    try (DiskStore opened = StoreOptions.open(settings)) {
      for (int i = 0; i < written; i++) {
        opened.disks().artifacts().upsert(disk, FileUpload.ofText("busy.txt", "edit " + i),
            "/docs/");
      }
    }
    List<Long> all = numbers(ok("versions", disk, "/docs/busy.txt", "--json").json());
    assertThat(all).hasSize(written).doesNotHaveDuplicates().isSortedAccordingTo(
        Comparator.reverseOrder());
    assertThat(all.get(0)).isEqualTo(written - 1);
    assertThat(all.get(written - 1)).isZero();
    assertThat(ok("versions", disk, "/docs/busy.txt").out().lines()).hasSize(written);
    assertThat(numbers(ok("versions", disk, "/docs/busy.txt", "--limit", "1002", "--json")
        .json())).hasSize(1002).endsWith(3L);
    assertThat(ok("cat", disk, "/docs/busy.txt", "--version", "1000").out())
        .isEqualTo("edit 1000");

    // the CLI's default history keeps the last 10, once garbage collection applies it
    ok("gc");
    assertThat(numbers(ok("versions", disk, "/docs/busy.txt", "--json").json()))
        .containsExactly(1004L, 1003L, 1002L, 1001L, 1000L, 999L, 998L, 997L, 996L, 995L);
  }

  @Test
  void versionsOfAFileWithNoneIsAnEmptyListingAndAMissingDiskIsNotFound() {
    CliRun.Result text = ok("versions", disk, "/never.txt");
    assertThat(text.out()).isEmpty();
    assertThat(text.err()).startsWith("diskstore: note: no versions of /never.txt");
    CliRun.Result json = ok("versions", disk, "/never.txt", "--json");
    assertThat(json.json().isArray()).isTrue();
    assertThat(json.json()).isEmpty();
    assertThat(json.err()).isEmpty();
    assertOneLineError(cli("versions", "no-such-disk", "/a.txt"), ExitCodes.NOT_FOUND,
        "no-such-disk");
    assertOneLineError(cli("versions", disk, "/docs/"), ExitCodes.USAGE, "names a directory");
    assertOneLineError(cli("versions", disk, "/../a.txt"), ExitCodes.USAGE, "invalid path");
  }

  // ------------------------------------------------------------------ get, cat --version

  @Test
  void getAndCatReadAnOldVersionsBytes() throws Exception {
    put("a.txt", "first version\n");
    put("a.txt", "second version\n");
    ok("rm", disk, "/docs/a.txt");

    assertThat(ok("cat", disk, "/docs/a.txt", "--version", "0").out())
        .isEqualTo("first version\n");
    assertThat(ok("cat", disk, "/docs/a.txt", "--version", "1", "--range", "0-5").out())
        .isEqualTo("second");
    assertThat(ok("get", disk, "/docs/a.txt", "--version", "1", "-o", "-").out())
        .isEqualTo("second version\n");

    Path out = tmp.resolve("old.txt");
    CliRun.Result got = ok("get", disk, "/docs/a.txt", "--version", "0", "-o", out.toString());
    assertThat(got.out()).isEqualTo("got /docs/a.txt version 0 (14 B) -> " + out + "\n");
    assertThat(Files.readString(out)).isEqualTo("first version\n");
    JsonNode json = ok("get", disk, "/docs/a.txt", "--version", "1", "-o", out.toString(),
        "--json").json();
    assertThat(json.get("version").asLong()).isEqualTo(1);
    assertThat(json.get("bytes").asLong()).isEqualTo(15);
    assertThat(json.get("artifact").get("size_bytes").asLong()).isEqualTo(15);
    assertThat(Files.readString(out)).isEqualTo("second version\n");

    // the current file is gone: without --version there is nothing to read
    assertOneLineError(cli("cat", disk, "/docs/a.txt"), ExitCodes.NOT_FOUND,
        "no artifact /docs/a.txt");
    // get and cat still have their help (the standard help options would claim --version)
    CliRun.Result help = CliRun.run("cat", "--help");
    assertThat(help.exitCode()).isZero();
    assertThat(help.out()).contains("Usage: diskstore cat", "--version=N", "-h, --help");
  }

  @Test
  void aVersionThatIsNotThereIsOneLineExit3AndLeavesNoFile() throws Exception {
    put("a.txt", "only\n");
    ok("rm", disk, "/docs/a.txt");

    assertOneLineError(cli("cat", disk, "/docs/a.txt", "--version", "7"), ExitCodes.NOT_FOUND,
        "version 7 of /docs/a.txt in disk " + disk + " does not exist",
        "diskstore versions " + disk + " /docs/a.txt");
    Path out = tmp.resolve("never.txt");
    assertOneLineError(cli("get", disk, "/docs/a.txt", "--version", "7", "-o", out.toString()),
        ExitCodes.NOT_FOUND, "version 7 of /docs/a.txt");
    assertThat(out).doesNotExist();
    // version 1 is the delete: it has no bytes to read or restore
    assertOneLineError(cli("cat", disk, "/docs/a.txt", "--version", "1"), ExitCodes.NOT_FOUND,
        "version 1 of /docs/a.txt in disk " + disk + " records a removal");
    assertOneLineError(cli("restore", disk, "/docs/a.txt", "1"), ExitCodes.NOT_FOUND,
        "version 1 of /docs/a.txt in disk " + disk + " records a removal");
    assertOneLineError(cli("restore", disk, "/docs/a.txt", "9"), ExitCodes.NOT_FOUND,
        "version 9 of /docs/a.txt", "does not exist");
    assertOneLineError(cli("restore", disk, "/docs/nothing.txt", "0"), ExitCodes.NOT_FOUND,
        "version 0 of /docs/nothing.txt");

    assertOneLineError(cli("cat", disk, "/docs/a.txt", "--version", "-1"), ExitCodes.USAGE,
        "--version must be a version number");
    assertOneLineError(cli("cat", disk, "/docs/a.txt", "--version", "latest"), ExitCodes.USAGE,
        "latest");
    assertOneLineError(cli("restore", disk, "/docs/a.txt", "zero"), ExitCodes.USAGE, "zero");
    assertOneLineError(cli("restore", disk, "/docs/a.txt"), ExitCodes.USAGE, "VERSION");
    assertOneLineError(cli("restore", "no-such-disk", "/docs/a.txt", "0"), ExitCodes.NOT_FOUND,
        "no-such-disk");

    // --debug adds the stack trace to the same first line
    CliRun.Result debug = cli("cat", disk, "/docs/a.txt", "--version", "7", "--debug");
    assertThat(debug.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(debug.err()).startsWith("diskstore: version 7 of /docs/a.txt").contains("\tat ");
  }

  // ------------------------------------------------------------------ restore

  @Test
  void restoreAfterRmBringsTheFileBackAsANewVersion() throws Exception {
    JsonNode v0 = put("a.txt", "keep me\n", "--meta", "owner=alice");
    put("a.txt", "oops\n", "--meta", "owner=bob");
    ok("rm", disk, "/docs/a.txt");

    CliRun.Result restored = ok("restore", disk, "/docs/a.txt", "0");
    assertThat(restored.out()).startsWith("restored /docs/a.txt to the content of version 0 (8 B,"
        + " etag ");
    assertThat(ok("cat", disk, "/docs/a.txt").out()).isEqualTo("keep me\n");
    JsonNode now = ok("meta", disk, "/docs/a.txt", "--json").json();
    assertThat(now.get("meta").get("owner").asText()).isEqualTo("alice");
    assertThat(now.get("sha256").asText()).isEqualTo(v0.get("sha256").asText());
    assertThat(now.get("etag").asText()).isNotEqualTo(v0.get("etag").asText());
    assertThat(restored.out().strip()).endsWith("etag " + now.get("etag").asText() + ")");

    JsonNode versions = ok("versions", disk, "/docs/a.txt", "--json").json();
    assertThat(changes(versions)).containsExactly("RESTORED", "DELETED", "UPSERTED", "UPSERTED");
    assertThat(versions.get(0).get("artifact").get("etag").asText())
        .isEqualTo(now.get("etag").asText());

    // --json prints the restored artifact; conditions hold on the current state
    JsonNode json = ok("restore", disk, "/docs/a.txt", "1", "--if-match",
        now.get("etag").asText(), "--json").json();
    assertThat(json.get("full_path").asText()).isEqualTo("/docs/a.txt");
    assertThat(json.get("meta").get("owner").asText()).isEqualTo("bob");
    assertThat(json.get("size_bytes").asLong()).isEqualTo(5);
    assertThat(ok("cat", disk, "/docs/a.txt").out()).isEqualTo("oops\n");
    assertOneLineError(cli("restore", disk, "/docs/a.txt", "0", "--if-match",
        now.get("etag").asText()), ExitCodes.PRECONDITION_FAILED, "");
    assertOneLineError(cli("restore", disk, "/docs/a.txt", "0", "--if-none-match"),
        ExitCodes.PRECONDITION_FAILED, "");
    assertThat(ok("cat", disk, "/docs/a.txt").out()).isEqualTo("oops\n");
    assertThat(changes(ok("versions", disk, "/docs/a.txt", "--json").json()))
        .containsExactly("RESTORED", "RESTORED", "DELETED", "UPSERTED", "UPSERTED");
  }

  // ------------------------------------------------------------------ settings

  private static History history(String... keysAndValues) {
    Properties properties = new Properties();
    properties.setProperty("directory", "store");
    for (int i = 0; i < keysAndValues.length; i += 2) {
      properties.setProperty(keysAndValues[i], keysAndValues[i + 1]);
    }
    return StoreSettings.of("test.properties", properties, Path.of("/tmp"), name -> null)
        .history();
  }

  @Test
  void historySettingsAreParsedWithTheDefaultForWhatIsLeftOut() {
    assertThat(history()).isEqualTo(History.DEFAULT);
    assertThat(history("history.keep-last", "50"))
        .isEqualTo(new History(50, Optional.of(Duration.ofDays(30))));
    assertThat(history("history.max-age", "P90D"))
        .isEqualTo(new History(10, Optional.of(Duration.ofDays(90))));
    assertThat(history("history.keep-last", "3", "history.max-age", "PT12H"))
        .isEqualTo(History.keep(3, Duration.ofHours(12)));
    assertThat(history("history.max-age", "p1dt2h").maxAge())
        .contains(Duration.ofHours(26));
    assertThat(history("history.max-age", "30d").maxAge()).contains(Duration.ofDays(30));
    assertThat(history("history.max-age", "12h").maxAge()).contains(Duration.ofHours(12));
    assertThat(history("history.max-age", "45m").maxAge()).contains(Duration.ofMinutes(45));
    assertThat(history("history.max-age", "90s").maxAge()).contains(Duration.ofSeconds(90));
    assertThat(history("history.keep-last", "0")).isEqualTo(History.off());
    assertThat(history("history.keep-last", "0").enabled()).isFalse();
    assertThat(history("history.keep-last", "unlimited", "history.max-age", "unlimited"))
        .isEqualTo(History.unlimited());
    assertThat(history("history.keep-last", "unlimited"))
        .isEqualTo(History.keepFor(Duration.ofDays(30)));
    assertThat(history("history.max-age", "UNLIMITED"))
        .isEqualTo(History.keepLast(10));
    // blank is left out, like every other key
    assertThat(history("history.keep-last", "", "history.max-age", " ")).isEqualTo(History.DEFAULT);
  }

  @Test
  void badHistorySettingsAreRefusedNamingTheKeyAndTheValue() {
    for (String bad : List.of("-1", "ten", "1.5", "10 versions", "99999999999")) {
      assertThatThrownBy(() -> history("history.keep-last", bad))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageStartingWith("test.properties: history.keep-last must be")
          .hasMessageContaining("\"" + bad + "\"");
    }
    for (String bad : List.of("0d", "P0D", "PT0S", "-P1D", "P1M", "30", "30 days", "30D",
        "forever", "1w")) {
      assertThatThrownBy(() -> history("history.max-age", bad))
          .isInstanceOf(InvalidRequestException.class)
          .hasMessageStartingWith("test.properties: history.max-age must be a positive duration")
          .hasMessageContaining("\"" + bad + "\"");
    }
    assertThatThrownBy(() -> history("history.keep-last", "0", "history.max-age", "P30D"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessage("test.properties: history.keep-last = 0 turns history off, so history.max-age"
            + " = P30D cannot apply; remove one of them");
    assertThatThrownBy(() -> history("history.keep-lats", "3"))
        .isInstanceOf(InvalidRequestException.class)
        .hasMessageContaining("unknown setting(s) [history.keep-lats]");
  }

  private Path settings(String name, String... lines) throws Exception {
    Path file = tmp.resolve(name);
    Files.writeString(file, "directory = store\n" + String.join("\n", lines) + "\n");
    return file;
  }

  @Test
  void aBadHistorySettingFailsEveryCommandInOneLineWithExit2() throws Exception {
    Path bad = settings("bad.properties", "history.max-age = a month");
    assertOneLineError(CliRun.run("--config", bad.toString(), "ls", disk), ExitCodes.USAGE,
        "history.max-age must be a positive duration", "\"a month\"");
    Path off = settings("off-with-age.properties", "history.keep-last = 0",
        "history.max-age = 12h");
    assertOneLineError(CliRun.run("--config", off.toString(), "versions", disk, "/a.txt"),
        ExitCodes.USAGE, "history.keep-last = 0 turns history off");
  }

  @Test
  void theStoreKeepsWhatTheHistorySettingsSay() throws Exception {
    Path two = settings("two.properties", "history.keep-last = 2");
    for (int i = 0; i < 4; i++) {
      put("two.txt", "edit " + i);
    }
    ok(CliRun.run("--config", two.toString(), "gc"));
    assertThat(numbers(ok("versions", disk, "/docs/two.txt", "--json").json()))
        .containsExactly(3L, 2L);
    assertThat(ok("cat", disk, "/docs/two.txt", "--version", "2").out()).isEqualTo("edit 2");
    assertOneLineError(cli("cat", disk, "/docs/two.txt", "--version", "1"), ExitCodes.NOT_FOUND,
        "version 1 of /docs/two.txt", "does not exist");

    Path young = settings("young.properties", "history.keep-last = unlimited",
        "history.max-age = 1s");
    put("young.txt", "old");
    put("young.txt", "new");
    Thread.sleep(1_500);
    ok(CliRun.run("--config", young.toString(), "gc"));
    assertThat(numbers(ok("versions", disk, "/docs/young.txt", "--json").json()))
        .containsExactly(1L);

    // history off: nothing is recorded, so nothing can be listed or restored
    Path off = settings("off.properties", "history.keep-last = 0");
    ok(CliRun.run("--config", off.toString(), "put", disk,
        Files.writeString(tmp.resolve("untracked.txt"), "x").toString()));
    CliRun.Result none = ok(CliRun.run("--config", off.toString(), "versions", disk,
        "/untracked.txt"));
    assertThat(none.out()).isEmpty();
    assertThat(none.err()).contains("no versions of /untracked.txt", "keeps no history");
    ok(CliRun.run("--config", off.toString(), "rm", disk, "/untracked.txt"));
    assertOneLineError(CliRun.run("--config", off.toString(), "restore", disk, "/untracked.txt",
        "0"), ExitCodes.NOT_FOUND, "version 0 of /untracked.txt", "does not exist");
  }
}
