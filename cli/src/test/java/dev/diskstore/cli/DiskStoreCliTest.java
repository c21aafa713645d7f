package dev.diskstore.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every {@code diskstore} command on a real embedded store (SQLite + a local directory in a
 * temporary directory), run through {@link DiskStoreCli}'s entry point with standard output and
 * error captured; JSON output is parsed back.
 */
class DiskStoreCliTest {
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

  /** Runs on the test's store; the store options go after the command. */
  private CliRun.Result cli(String... args) {
    return cli(false, args);
  }

  private CliRun.Result cli(boolean terminal, String... args) {
    String[] all = Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--store";
    all[args.length + 1] = store.toString();
    return CliRun.run(terminal, all);
  }

  private CliRun.Result ok(String... args) {
    CliRun.Result result = cli(args);
    assertThat(result.exitCode()).as(result.toString()).isZero();
    return result;
  }

  private static void assertOneLineError(CliRun.Result result, int exitCode, String contains) {
    assertThat(result.exitCode()).as(result.toString()).isEqualTo(exitCode);
    assertThat(result.err()).startsWith("diskstore: ").contains(contains).doesNotContain("\tat ");
    assertThat(result.err().strip().lines()).hasSize(1);
  }

  private Path file(String name, String text) throws Exception {
    Path file = tmp.resolve("local").resolve(name);
    Files.createDirectories(file.getParent());
    Files.writeString(file, text);
    return file;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<String> texts(JsonNode array, String field) {
    return StreamSupport.stream(array.spliterator(), false).map(n -> n.get(field).asText())
        .toList();
  }

  // ------------------------------------------------------------------ disks

  @Test
  void disksAreCreatedListedPagedAndDeleted() {
    String alice = ok("disks", "create", "--user", "alice", "--json").json().get("id").asText();
    JsonNode all = ok("disks", "--json").json();
    assertThat(texts(all.get("disks"), "id")).containsExactly(disk, alice);
    assertThat(all.get("has_more").asBoolean()).isFalse();
    assertThat(all.get("disks").get(1).get("user").asText()).isEqualTo("alice");
    assertThat(all.get("disks").get(0).get("user").isNull()).isTrue();

    assertThat(texts(ok("disks", "--user", "alice", "--json").json().get("disks"), "id"))
        .containsExactly(alice);
    assertThat(texts(ok("disks", "--time-desc", "--json").json().get("disks"), "id"))
        .containsExactly(alice, disk);
    JsonNode first = ok("disks", "--limit", "1", "--json").json();
    assertThat(first.get("has_more").asBoolean()).isTrue();
    JsonNode second =
        ok("disks", "--limit", "1", "--cursor", first.get("next_cursor").asText(), "--json").json();
    assertThat(texts(second.get("disks"), "id")).containsExactly(alice);
    assertThat(ok("disks").out()).contains(disk + "  -  ", alice + "  alice  ");

    assertThat(ok("disks", "delete", alice).out()).contains("deleted disk " + alice);
    assertOneLineError(cli("disks", "delete", alice), ExitCodes.NOT_FOUND, "disk not found");
    assertThat(texts(ok("disks", "--json").json().get("disks"), "id")).containsExactly(disk);
    assertOneLineError(cli("disks", "--limit", "0"), ExitCodes.USAGE, "limit");
  }

  @Test
  void theStoreOptionsMayComeBeforeOrAfterTheCommand() {
    CliRun.Result before = CliRun.run("--store", store.toString(), "disks", "--json");
    CliRun.Result between = CliRun.run("disks", "--store", store.toString(), "create");
    assertThat(before.exitCode()).isZero();
    assertThat(between.exitCode()).as(between.toString()).isZero();
    assertThat(texts(ok("disks", "--json").json().get("disks"), "id"))
        .containsExactly(disk, between.out().strip());
  }

  // ------------------------------------------------------------------ put, ls, get

  @Test
  void putUploadsADirectoryTreeKeepingItsStructure() throws Exception {
    Path tree = tmp.resolve("tree");
    Files.createDirectories(tree.resolve("sub/deeper"));
    Files.createDirectories(tree.resolve("empty-dir"));
    Files.writeString(tree.resolve("a.txt"), "alpha\n");
    Files.write(tree.resolve("empty.bin"), new byte[0]);
    Files.writeString(tree.resolve("sub/deeper/b.md"), "# Bee\n");
    Files.writeString(tree.resolve("Ünïcødé 文件 ☃.txt"), "snowman\n");

    JsonNode put = ok("put", disk, tree.toString(), "--to", "/up", "--meta", "source=tree",
        "--json").json();
    assertThat(put.get("files").asInt()).isEqualTo(4);
    assertThat(put.get("bytes").asLong()).isEqualTo(6 + 0 + 6 + 8);
    assertThat(texts(put.get("artifacts"), "full_path")).containsExactlyInAnyOrder(
        "/up/a.txt", "/up/empty.bin", "/up/sub/deeper/b.md", "/up/Ünïcødé 文件 ☃.txt");
    assertThat(put.get("artifacts").get(0).get("meta").get("source").asText()).isEqualTo("tree");

    JsonNode top = ok("ls", disk, "/up/", "--json").json();
    assertThat(top.get("path").asText()).isEqualTo("/up/");
    assertThat(top.get("directories").toString()).isEqualTo("[\"sub\"]");
    assertThat(texts(top.get("files"), "filename"))
        .containsExactlyInAnyOrder("a.txt", "empty.bin", "Ünïcødé 文件 ☃.txt");
    JsonNode empty = StreamSupport.stream(top.get("files").spliterator(), false)
        .filter(f -> f.get("filename").asText().equals("empty.bin")).findFirst().orElseThrow();
    assertThat(empty.get("size_bytes").asLong()).isZero();

    JsonNode all = ok("ls", disk, "/up", "--recursive", "--json").json();
    assertThat(texts(all.get("files"), "full_path")).containsExactlyInAnyOrder(
        "/up/a.txt", "/up/empty.bin", "/up/sub/deeper/b.md", "/up/Ünïcødé 文件 ☃.txt");
    assertThat(all.get("directories").toString()).isEqualTo("[\"/up/sub/\",\"/up/sub/deeper/\"]");

    // text: directories first, then files with size, type, modified, etag
    List<String> lines = ok("ls", disk, "/up/").out().lines().toList();
    assertThat(lines.get(0)).isEqualTo("sub/");
    assertThat(lines).hasSize(4);
    assertThat(lines.stream().filter(l -> l.endsWith(" a.txt")).findFirst().orElseThrow())
        .contains(" 6  ", "text/plain");
    assertThat(ok("ls", disk).out().lines()).containsExactly("up/");

    // every file comes back byte for byte
    Path back = Files.createDirectories(tmp.resolve("back"));
    for (String remote : List.of("/up/a.txt", "/up/empty.bin", "/up/sub/deeper/b.md",
        "/up/Ünïcødé 文件 ☃.txt")) {
      CliRun.Result got = ok("get", disk, remote, "-o", back.toString(), "--json");
      Path local = Path.of(got.json().get("local").asText());
      Path original = tree.resolve(remote.substring("/up/".length()));
      assertThat(local.getFileName().toString()).isEqualTo(original.getFileName().toString());
      assertThat(Files.readAllBytes(local)).isEqualTo(Files.readAllBytes(original));
    }
    // no temporary files left beside them
    try (Stream<Path> files = Files.list(back)) {
      assertThat(files.map(p -> p.getFileName().toString())).hasSize(4)
          .noneMatch(n -> n.endsWith(".diskstore-part"));
    }
  }

  @Test
  void putOfFilesPrintsASummaryAndKeepsOrReplacesMetadata() throws Exception {
    Path a = file("a.md", "# A\n");
    Path b = file("b.md", "# B\n");
    CliRun.Result put = ok("put", disk, a.toString(), b.toString(), "--to", "docs",
        "--meta", "{\"author\": \"alice\", \"version\": 2}");
    assertThat(put.out()).isEqualTo("put 2 files (8 B) into disk " + disk + " under /docs/\n");
    assertThat(put.err()).isEmpty();
    JsonNode meta = ok("meta", disk, "/docs/a.md", "--json").json().get("meta");
    assertThat(meta.get("author").asText()).isEqualTo("alice");
    assertThat(meta.get("version").asInt()).isEqualTo(2);
    // without --meta a re-upload keeps the metadata
    Files.writeString(a, "# A2\n");
    ok("put", disk, a.toString(), "--to", "/docs/");
    assertThat(ok("meta", disk, "/docs/a.md", "--json").json().get("meta").get("author").asText())
        .isEqualTo("alice");
    assertThat(ok("cat", disk, "/docs/a.md").out()).isEqualTo("# A2\n");
  }

  @Test
  void getAndCatStreamTheBytesWholeOrARange() throws Exception {
    byte[] bytes = new byte[200_000];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) (i * 31);
    }
    Path local = tmp.resolve("data.bin");
    Files.write(local, bytes);
    ok("put", disk, local.toString(), "--to", "/bin/");

    assertThat(ok("cat", disk, "/bin/data.bin").stdout()).isEqualTo(bytes);
    assertThat(ok("cat", disk, "bin/data.bin", "--range", "10-19").stdout())
        .isEqualTo(Arrays.copyOfRange(bytes, 10, 20));
    assertThat(ok("cat", disk, "/bin/data.bin", "--range", "199990-").stdout())
        .isEqualTo(Arrays.copyOfRange(bytes, 199_990, 200_000));
    assertThat(ok("get", disk, "/bin/data.bin", "-o", "-").stdout()).isEqualTo(bytes);

    Path out = tmp.resolve("copy.bin");
    CliRun.Result got = ok("get", disk, "/bin/data.bin", "-o", out.toString());
    assertThat(got.out()).startsWith("got /bin/data.bin (195.3 KiB) -> ");
    assertThat(Files.readAllBytes(out)).isEqualTo(bytes);
    ok("get", disk, "/bin/data.bin", "-o", out.toString(), "--range", "0-0");
    assertThat(Files.readAllBytes(out)).containsExactly(bytes[0]);

    assertOneLineError(cli("cat", disk, "/bin/data.bin", "--range", "9-2"), ExitCodes.USAGE,
        "LAST is before FIRST");
    assertOneLineError(cli("cat", disk, "/bin/data.bin", "--range", "bytes"), ExitCodes.USAGE,
        "--range takes");
    // a missing artifact leaves no file behind
    Path missing = tmp.resolve("missing.bin");
    assertOneLineError(cli("get", disk, "/bin/nope.bin", "-o", missing.toString()),
        ExitCodes.NOT_FOUND, "no artifact /bin/nope.bin in disk " + disk);
    assertThat(missing).doesNotExist();
    try (Stream<Path> files = Files.list(tmp)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.endsWith(".diskstore-part"));
    }
  }

  // ------------------------------------------------------------------ conditions, rm, mv

  @Test
  void conditionsAreCheckedAndAFailedOneExitsWith4() throws Exception {
    Path a = file("a.txt", "one");
    String etag = ok("put", disk, a.toString(), "--json").json().get("artifacts").get(0)
        .get("etag").asText();
    assertOneLineError(cli("put", disk, a.toString(), "--if-none-match"),
        ExitCodes.PRECONDITION_FAILED, "");
    assertOneLineError(cli("put", disk, a.toString(), "--if-match", "not-the-etag"),
        ExitCodes.PRECONDITION_FAILED, "");
    assertOneLineError(cli("put", disk, a.toString(), "--if-match", etag, "--if-none-match"),
        ExitCodes.USAGE, "mutually exclusive");
    Files.writeString(a, "two");
    String etag2 = ok("put", disk, a.toString(), "--if-match", etag, "--json").json()
        .get("artifacts").get(0).get("etag").asText();
    assertThat(etag2).isNotEqualTo(etag);
    assertOneLineError(cli("put", disk, a.toString(), file("b.txt", "b").toString(),
        "--if-match", etag2), ExitCodes.USAGE, "--if-match");

    assertOneLineError(cli("meta", "set", disk, "/a.txt", "{}", "--if-match", etag),
        ExitCodes.PRECONDITION_FAILED, "");
    assertOneLineError(cli("rm", disk, "/a.txt", "--if-match", etag),
        ExitCodes.PRECONDITION_FAILED, "");
    assertThat(ok("rm", disk, "/a.txt", "--if-match", etag2).out()).isEqualTo("deleted /a.txt\n");

    // a put of several files stops at the first that fails and says how far it got
    Path fresh = file("fresh.txt", "new");
    Path taken = file("taken.txt", "old");
    ok("put", disk, taken.toString());
    assertOneLineError(cli("put", disk, fresh.toString(), taken.toString(), "--if-none-match"),
        ExitCodes.PRECONDITION_FAILED, "1 of 2 files were uploaded before it");
    assertThat(ok("cat", disk, "/fresh.txt").out()).isEqualTo("new");
  }

  @Test
  void rmAndMvChangeTheDisk() throws Exception {
    ok("put", disk, file("a.txt", "a").toString(), file("b.txt", "b").toString(),
        file("c.txt", "c").toString(), "--to", "/d/");
    JsonNode moved = ok("mv", disk, "/d/a.txt", "/e/", "--json").json();
    assertThat(moved.get("full_path").asText()).isEqualTo("/e/a.txt");
    assertThat(ok("mv", disk, "/e/a.txt", "/e/renamed.txt").out())
        .isEqualTo("moved /e/a.txt -> /e/renamed.txt\n");
    assertOneLineError(cli("mv", disk, "/d/b.txt", "/d/c.txt"), ExitCodes.PRECONDITION_FAILED, "");
    ok("mv", disk, "/d/b.txt", "/d/c.txt", "--overwrite");
    assertThat(ok("cat", disk, "/d/c.txt").out()).isEqualTo("b");

    JsonNode deleted = ok("rm", disk, "/d/c.txt", "/e/renamed.txt", "--json").json();
    assertThat(deleted.get("deleted").toString()).isEqualTo("[\"/d/c.txt\",\"/e/renamed.txt\"]");
    assertThat(ok("ls", disk, "--json").json().get("directories")).isEmpty();
    assertOneLineError(cli("rm", disk, "/d/c.txt"), ExitCodes.NOT_FOUND, "no artifact /d/c.txt");
    ok("put", disk, file("x.txt", "x").toString());
    assertOneLineError(cli("rm", disk, "/x.txt", "/d/c.txt"), ExitCodes.NOT_FOUND,
        "1 of 2 deleted before it");
    assertOneLineError(cli("mv", disk, "/nope.txt", "/x.txt"), ExitCodes.NOT_FOUND, "no artifact");
  }

  // ------------------------------------------------------------------ meta, url

  @Test
  void metaShowsAndReplacesUserMetadataAndRejectsBadJsonInOneLine() throws Exception {
    ok("put", disk, file("m.json", "{\"x\": 1}").toString(), "--meta", "k=v");
    String shown = ok("meta", disk, "/m.json").out();
    assertThat(shown).contains("\"__artifact_info__\"", "\"etag\"", "\"k\" : \"v\"");
    JsonNode updated = ok("meta", "set", disk, "/m.json", "{\"tags\": [\"a\", \"b\"], \"n\": 3}",
        "--json").json();
    assertThat(updated.get("meta").toString()).isEqualTo("{\"tags\":[\"a\",\"b\"],\"n\":3}");
    assertThat(ok("meta", "set", disk, "/m.json", "{}").out()).startsWith(
        "updated the metadata of /m.json (etag ");
    assertThat(ok("meta", disk, "/m.json", "--json").json().get("meta")).isEmpty();

    assertOneLineError(cli("meta", "set", disk, "/m.json", "{\"a\": "), ExitCodes.USAGE,
        "metadata is not valid JSON");
    assertOneLineError(cli("meta", "set", disk, "/m.json", "[1, 2]"), ExitCodes.USAGE,
        "must be a JSON object");
    assertOneLineError(cli("meta", "set", disk, "/m.json", "{\"__artifact_info__\": 1}"),
        ExitCodes.USAGE, "__artifact_info__");
    assertOneLineError(cli("put", disk, file("n.txt", "n").toString(), "--meta", "novalue"),
        ExitCodes.USAGE, "--meta takes a JSON object or KEY=VALUE");
    assertOneLineError(cli("put", disk, file("n.txt", "n").toString(), "--meta", "{bad"),
        ExitCodes.USAGE, "not valid JSON");
    assertOneLineError(cli("meta", "set", disk, "/nope.json", "{}"), ExitCodes.NOT_FOUND,
        "no artifact /nope.json");
    assertOneLineError(cli("meta", disk), ExitCodes.USAGE, "meta takes DISK and REMOTE");
  }

  @Test
  void urlPrintsASignedUrlServedWhileTheCommandWaits() throws Exception {
    ok("put", disk, file("u.txt", "download me").toString());
    CliRun.Result url = ok("url", disk, "/u.txt", "--expire", "60");
    assertThat(url.out()).startsWith("http://");
    assertThat(url.err()).contains("--wait");
    JsonNode json = ok("url", disk, "/u.txt", "--json").json();
    assertThat(json.get("url").asText()).startsWith("http://");
    assertThat(json.get("expires_at").asText()).isNotBlank();
    assertOneLineError(cli("url", disk, "/u.txt", "--expire", "0"), ExitCodes.USAGE, "expire");

    // --wait: the URL works until the command is stopped
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int[] code = {-1};
    Thread serving = new Thread(() -> code[0] = DiskStoreCli.run(
        new Io(new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8), false),
        "url", disk, "/u.txt", "--wait", "--store", store.toString()));
    serving.start();
    try {
      String printed = "";
      for (long deadline = System.nanoTime() + 60_000_000_000L;
          !printed.endsWith("\n") && System.nanoTime() < deadline; Thread.sleep(20)) {
        printed = out.toString(UTF_8);
      }
      HttpResponse<String> response = HttpClient.newHttpClient().send(
          HttpRequest.newBuilder(URI.create(printed.strip())).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.body()).isEqualTo("download me");
    } finally {
      serving.interrupt();
      serving.join();
    }
    assertThat(code[0]).as(err.toString(UTF_8)).isZero();
  }

  // ------------------------------------------------------------------ grep, glob, search

  @Test
  void grepGlobAndSearchFindText() throws Exception {
    ok("put", disk, file("plan.md", "# Plan\nquarterly Zebra goals\nnothing here\n").toString(),
        "--to", "/docs/2024/");
    ok("put", disk, file("notes.txt", "a zebra crossing\n").toString(), "--to", "/notes/");
    ok("put", disk, file("top.md", "top\n").toString());

    assertThat(ok("grep", disk, "zebra").out()).isEqualTo("/notes/notes.txt:1:a zebra crossing\n");
    assertThat(ok("grep", disk, "zebra", "-i").out().lines()).containsExactly(
        "/docs/2024/plan.md:2:quarterly Zebra goals", "/notes/notes.txt:1:a zebra crossing");
    JsonNode grep = ok("grep", disk, "zebra", "--ignore-case", "--path", "/docs/", "--json")
        .json();
    assertThat(grep.get("files")).hasSize(1);
    JsonNode match = grep.get("files").get(0);
    assertThat(match.get("artifact").get("full_path").asText()).isEqualTo("/docs/2024/plan.md");
    assertThat(match.get("matches").get(0).get("line_number").asInt()).isEqualTo(2);
    assertThat(match.get("matches").get(0).get("line").asText()).isEqualTo(
        "quarterly Zebra goals");
    assertThat(ok("grep", disk, "e", "--limit", "1", "--json").json().get("truncated")
        .asBoolean()).isTrue();
    assertThat(ok("grep", disk, "no such words").out()).isEmpty();
    assertOneLineError(cli("grep", disk, "(unclosed"), ExitCodes.USAGE, "");

    assertThat(ok("glob", disk, "**/*.md").out().lines())
        .containsExactly("/top.md", "/docs/2024/plan.md"); // by directory, then filename
    assertThat(ok("glob", disk, "*.md").out().lines()).containsExactly("/top.md");
    JsonNode glob = ok("glob", disk, "**", "--limit", "2", "--json").json();
    assertThat(glob.isArray()).isTrue();
    assertThat(glob).hasSize(2);
    assertOneLineError(cli("glob", disk, "[unclosed"), ExitCodes.USAGE, "");

    JsonNode hits = ok("search", disk, "zebra", "--json").json();
    assertThat(texts(StreamSupport.stream(hits.spliterator(), false)
        .map(h -> h.get("artifact")).collect(com.fasterxml.jackson.databind.node.JsonNodeFactory
            .instance::arrayNode, com.fasterxml.jackson.databind.node.ArrayNode::add,
            com.fasterxml.jackson.databind.node.ArrayNode::addAll), "full_path"))
        .containsExactlyInAnyOrder("/docs/2024/plan.md", "/notes/notes.txt");
    assertThat(hits.get(0).get("snippet").asText()).containsIgnoringCase("[zebra]");
    assertThat(ok("search", disk, "quarterly").out()).contains("/docs/2024/plan.md",
        "[quarterly]");
    assertThat(ok("search", disk, "unicorn", "--json").json()).isEmpty();
  }

  // ------------------------------------------------------------------ verify, gc, stats

  @Test
  void statsVerifyAndGcDescribeTheStore() throws Exception {
    ok("put", disk, file("one.txt", "same bytes").toString(), file("two.txt", "same bytes")
        .toString(), file("three.txt", "other").toString(), "--to", "/s/");
    String other = ok("disks", "create").out().strip();
    ok("put", other, file("four.txt", "same bytes").toString());

    JsonNode stats = ok("stats", "--json").json();
    assertThat(stats.get("disks").asInt()).isEqualTo(2);
    assertThat(stats.get("artifacts").asInt()).isEqualTo(4);
    assertThat(stats.get("bytes").asLong()).isEqualTo(10 * 3 + 5);
    assertThat(stats.get("blobs").asInt()).isEqualTo(2);
    assertThat(stats.get("blob_bytes").asLong()).isEqualTo(15);
    assertThat(ok("stats").out()).contains("artifacts   4", "blobs       2");

    JsonNode verify = ok("verify", "--json").json();
    assertThat(verify.get("clean").asBoolean()).isTrue();
    assertThat(verify.get("problems")).isEmpty();
    assertThat(verify.get("artifacts_checked").asInt()).isEqualTo(4);
    assertThat(ok("verify", "--deep").out()).startsWith("verify: clean");
    // the settings-file form of verify still works
    Path settings = tmp.resolve("store.properties");
    Files.writeString(settings, "directory = store\n");
    CliRun.Result byFile = CliRun.run("verify", settings.toString());
    assertThat(byFile.exitCode()).as(byFile.toString()).isZero();
    assertOneLineError(cli("verify", settings.toString()), ExitCodes.USAGE, "not both");

    ok("rm", disk, "/s/three.txt");
    JsonNode gc = ok("gc", "--json").json();
    assertThat(gc.get("deleted").asInt()).isGreaterThanOrEqualTo(0);
    assertThat(gc.get("unknown_objects_kept").asInt()).isZero();
    assertThat(ok("gc").out()).startsWith("gc: deleted ");
    assertThat(ok("stats", "--json").json().get("blobs").asInt()).isEqualTo(1);

    // the CLI opens the store with the default history, so the deleted three.txt's version keeps
    // its bytes: the backend holds the live content and that one
    List<Path> stored;
    try (Stream<Path> files = Files.walk(store.resolve("blobs"))) {
      stored = files.filter(Files::isRegularFile)
          .filter(p -> !p.getFileName().toString().startsWith("diskstore-store")).toList();
    }
    assertThat(stored.stream().map(DiskStoreCliTest::read).toList())
        .containsExactlyInAnyOrder("same bytes", "other");
    // damage the live blob: deep verify finds it (exit 1) and reading it fails in one line
    List<Path> blobs = stored.stream().filter(p -> read(p).equals("same bytes")).toList();
    assertThat(blobs).hasSize(1);
    byte[] bytes = Files.readAllBytes(blobs.get(0));
    bytes[0] ^= 1;
    Files.write(blobs.get(0), bytes);
    CliRun.Result damaged = cli("verify", "--deep", "--json");
    assertThat(damaged.exitCode()).isEqualTo(ExitCodes.FAILURE);
    assertThat(texts(damaged.json().get("problems"), "kind")).contains("HASH_MISMATCH");
    assertThat(cli("verify", "--deep").out()).contains("problem(s)", "HASH_MISMATCH");
    assertOneLineError(cli("cat", disk, "/s/one.txt"), ExitCodes.FAILURE, "");
  }

  // ------------------------------------------------------------------ errors

  @Test
  void errorsAreOneLineWithTheirExitCode() throws Exception {
    Path missing = tmp.resolve("no-store");
    assertOneLineError(CliRun.run("ls", "x", "--store", missing.toString()), ExitCodes.NOT_FOUND,
        "no store in");
    assertThat(missing).doesNotExist();
    assertOneLineError(CliRun.run("ls", "x"), ExitCodes.USAGE, "--store DIR or --config FILE");
    assertOneLineError(CliRun.run("ls", "x", "--store", store.toString(), "--config",
        tmp.resolve("c.properties").toString()), ExitCodes.USAGE, "not both");
    assertOneLineError(CliRun.run("ls", "x", "--config", tmp.resolve("none.properties")
        .toString()), ExitCodes.USAGE, "cannot read the store settings");
    assertOneLineError(CliRun.run("frobnicate"), ExitCodes.USAGE, "frobnicate");
    assertOneLineError(cli("ls"), ExitCodes.USAGE, "DISK");
    assertOneLineError(cli("put", disk), ExitCodes.USAGE, "LOCAL");

    assertOneLineError(cli("ls", "no-such-disk"), ExitCodes.NOT_FOUND, "no-such-disk");
    assertOneLineError(cli("cat", "no-such-disk", "/a.txt"), ExitCodes.NOT_FOUND, "disk not found");
    assertOneLineError(cli("put", "no-such-disk", file("x.txt", "x").toString()),
        ExitCodes.NOT_FOUND, "disk not found");
    assertOneLineError(cli("ls", disk, "/nowhere/"), ExitCodes.NOT_FOUND, "no file or directory");
    assertOneLineError(cli("put", disk, tmp.resolve("nothing-here").toString()),
        ExitCodes.NOT_FOUND, "no local file or directory");

    // path traversal is refused, whatever the command
    assertOneLineError(cli("cat", disk, "../x"), ExitCodes.USAGE, "invalid path");
    assertOneLineError(cli("get", disk, "/a/../../etc/passwd", "-o", tmp.resolve("p").toString()),
        ExitCodes.USAGE, "invalid path");
    assertOneLineError(cli("put", disk, file("t.txt", "t").toString(), "--to", "/a/../../"),
        ExitCodes.USAGE, "invalid path");
    assertOneLineError(cli("mv", disk, "/t.txt", "../t.txt"), ExitCodes.USAGE, "invalid path");
    assertOneLineError(cli("rm", disk, "/.."), ExitCodes.USAGE, "invalid path");
    assertOneLineError(cli("cat", disk, "/docs/"), ExitCodes.USAGE, "names a directory");
    assertThat(ok("ls", disk, "--recursive", "--json").json().get("files")).isEmpty();

    // --debug adds the stack trace
    CliRun.Result debug = cli("cat", disk, "/nope.txt", "--debug");
    assertThat(debug.exitCode()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(debug.err()).startsWith("diskstore: no artifact").contains("\tat ");
  }

  // ------------------------------------------------------------------ progress, help

  @Test
  void progressIsDrawnOnStandardErrorOnlyOnATerminalAndNeverWithJson() throws Exception {
    Path big = tmp.resolve("big.bin");
    Files.write(big, new byte[(int) Progress.MIN_BYTES + 1]);
    CliRun.Result terminal = cli(true, "put", disk, big.toString());
    assertThat(terminal.exitCode()).as(terminal.toString()).isZero();
    assertThat(terminal.err()).startsWith("\rput [").contains("100%").endsWith("\n");
    assertThat(terminal.out()).startsWith("put 1 file (4.0 MiB)");

    assertThat(cli(true, "put", disk, big.toString(), "--json").err()).isEmpty();
    assertThat(cli(false, "put", disk, big.toString()).err()).isEmpty();
    Path copy = tmp.resolve("big-copy.bin");
    CliRun.Result get = cli(true, "get", disk, "/big.bin", "-o", copy.toString());
    assertThat(get.err()).contains("\rget [", "100%");
    assertThat(Files.size(copy)).isEqualTo(Files.size(big));

    // many small files get a bar too
    Path many = Files.createDirectories(tmp.resolve("many"));
    for (int i = 0; i < Progress.MIN_FILES; i++) {
      Files.writeString(many.resolve("f" + i + ".txt"), "file " + i);
    }
    CliRun.Result files = cli(true, "put", disk, many.toString(), "--to", "/many/");
    assertThat(files.err()).contains(Progress.MIN_FILES + "/" + Progress.MIN_FILES + " files");
    assertThat(files.out()).isEqualTo("put 16 files (" + Progress.size(10 * 6 + 6 * 7) + ") into disk "
        + disk + " under /many/\n");
  }

  @Test
  void everyCommandHasHelp() {
    CliRun.Result top = CliRun.run("--help");
    assertThat(top.exitCode()).isZero();
    List<String> commands = List.of("disks", "ls", "put", "get", "cat", "rm", "mv", "meta", "url",
        "versions", "restore", "grep", "glob", "search", "verify", "gc", "stats", "copy", "serve",
        "mcp");
    assertThat(top.out()).contains(commands).contains("Exit codes:");
    List<String[]> all = new ArrayList<>();
    commands.forEach(c -> all.add(new String[] {c, "--help"}));
    all.add(new String[] {"disks", "create", "--help"});
    all.add(new String[] {"disks", "delete", "--help"});
    all.add(new String[] {"meta", "set", "--help"});
    for (String[] args : all) {
      CliRun.Result help = CliRun.run(args);
      assertThat(help.exitCode()).as(String.join(" ", args)).isZero();
      assertThat(help.out()).contains("Usage: diskstore " + String.join(" ",
          Arrays.copyOf(args, args.length - 1)));
      if (!args[0].equals("copy")) { // copy names its two stores by settings files
        assertThat(help.out()).contains("--store", "--config");
      }
    }
    assertThat(CliRun.run().exitCode()).isEqualTo(ExitCodes.USAGE);
  }
}
