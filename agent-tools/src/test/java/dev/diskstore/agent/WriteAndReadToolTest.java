package dev.diskstore.agent;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.Artifact;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.memory.InMemoryBlobBackend;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WriteAndReadToolTest extends DiskToolsTestBase {

  // ------------------------------------------------------------------ write_file_disk

  @Test
  void writeCreatesFileAndReturnsItsEtag() {
    String result =
        call("write_file_disk", """
            {"file_path": "/notes/", "filename": "todo.md",
             "content": "# TODO\\n- call Bob\\n"}""");

    Artifact stored = get("/notes/", "todo.md");
    assertThat(result)
        .startsWith("Created /notes/todo.md (18 bytes, text/markdown)")
        .endsWith("etag: " + stored.etag());
    assertThat(text("/notes/", "todo.md")).isEqualTo("# TODO\n- call Bob\n");
  }

  @Test
  void writeEmptyContentCreatesAnEmptyFile() {
    String result =
        call("write_file_disk", """
            {"file_path": "/", "filename": "empty.txt", "content": ""}""");

    assertThat(result).startsWith("Created /empty.txt (0 bytes");
    assertThat(get("/", "empty.txt").sizeBytes()).isZero();
    assertThat(call("read_file_disk", """
        {"filename": "empty.txt"}"""))
        .startsWith("[/empty.txt | empty, 0 lines | etag: ");
  }

  @Test
  void writeWithAllOptionalArgumentsNullUsesDefaults() {
    String result =
        call("write_file_disk", """
            {"file_path": null, "filename": "a.txt", "content": "x", "expected_etag": null,
             "create_only": null}""");

    assertThat(result).startsWith("Created /a.txt");
    assertThat(text("/", "a.txt")).isEqualTo("x");
  }

  @Test
  void overwriteKeepsUserMetadata() {
    put("/docs/", "plan.md", "v1".getBytes(UTF_8),
        Map.of("author", "alice", "tags", java.util.List.of("q3")));

    String result =
        call("write_file_disk", """
            {"file_path": "/docs/", "filename": "plan.md", "content": "v2"}""");

    assertThat(result)
        .startsWith("Replaced the content of /docs/plan.md")
        .contains("user metadata kept");
    Artifact after = get("/docs/", "plan.md");
    assertThat(after.userMeta()).containsEntry("author", "alice").containsKey("tags");
    assertThat(text("/docs/", "plan.md")).isEqualTo("v2");
  }

  @Test
  void writeWithCurrentEtagSucceedsAndWithStaleEtagChangesNothing() {
    String etag = put("/", "a.txt", "one").etag();

    String ok =
        call("write_file_disk", """
            {"filename": "a.txt", "content": "two", "expected_etag": "%s"}""".formatted(etag));
    assertThat(ok).startsWith("Replaced the content of /a.txt");
    String newEtag = get("/", "a.txt").etag();

    String stale =
        call("write_file_disk", """
            {"filename": "a.txt", "content": "three", "expected_etag": "%s"}""".formatted(etag));
    assertThat(stale)
        .startsWith("Error: /a.txt changed since you read it: its etag is now " + newEtag)
        .contains("nothing was written")
        .contains("Read it again with read_file_disk");
    assertThat(text("/", "a.txt")).isEqualTo("two");
  }

  @Test
  void writeWithEtagOfAMissingFileIsRefused() {
    String result =
        call("write_file_disk", """
            {"filename": "ghost.txt", "content": "x", "expected_etag": "0123abcd"}""");

    assertThat(result)
        .startsWith("Error: /ghost.txt does not exist (any more); nothing was written")
        .contains("leave out expected_etag");
    assertThat(exists("/", "ghost.txt")).isFalse();
  }

  @Test
  void emptyExpectedEtagMeansAbsent() {
    put("/", "a.txt", "one");

    assertThat(call("write_file_disk", """
        {"filename": "a.txt", "content": "two", "expected_etag": ""}"""))
        .startsWith("Replaced the content of /a.txt");
  }

  @Test
  void createOnlyRefusesToOverwrite() {
    String etag = put("/", "a.txt", "one").etag();

    String refused =
        call("write_file_disk", """
            {"filename": "a.txt", "content": "two", "create_only": true}""");
    assertThat(refused)
        .startsWith("Error: /a.txt already exists (etag: " + etag + "); nothing was written");
    assertThat(text("/", "a.txt")).isEqualTo("one");

    assertThat(call("write_file_disk", """
        {"filename": "b.txt", "content": "new", "create_only": "true"}"""))
        .startsWith("Created /b.txt");
  }

  @Test
  void createOnlyWithExpectedEtagIsContradictory() {
    assertThat(call("write_file_disk", """
        {"filename": "a.txt", "content": "x", "create_only": true, "expected_etag": "abc"}"""))
        .startsWith("Error: create_only=true and expected_etag contradict each other");
  }

  @Test
  void pathAndFilenameCombinations() {
    assertThat(call("write_file_disk", """
        {"filename": "/docs/a.md", "content": "a"}""")).startsWith("Created /docs/a.md");
    assertThat(call("write_file_disk", """
        {"file_path": "/docs/b.md", "content": "b"}""")).startsWith("Created /docs/b.md");
    assertThat(call("write_file_disk", """
        {"file_path": "/docs/c.md", "filename": "c.md", "content": "c"}"""))
        .startsWith("Created /docs/c.md");
    assertThat(call("write_file_disk", """
        {"file_path": "docs", "filename": "2024/d.md", "content": "d"}"""))
        .startsWith("Created /docs/2024/d.md");
    assertThat(call("write_file_disk", """
        {"file_path": "/docs/", "filename": "/docs/e.md", "content": "e"}"""))
        .startsWith("Created /docs/e.md");
    assertThat(call("write_file_disk", """
        {"file_path": "/other/", "filename": "/docs/f.md", "content": "f"}"""))
        .startsWith("Error: filename \"/docs/f.md\" is a full path but file_path is \"/other/\"");
    assertThat(call("write_file_disk", """
        {"file_path": "/docs/", "content": "g"}"""))
        .startsWith("Error: missing required argument \"filename\"");
    assertThat(call("write_file_disk", """
        {"file_path": "/docs/", "filename": "sub/", "content": "g"}"""))
        .startsWith("Error: filename must name a file, not a directory");
    assertThat(text("/docs/", "c.md")).isEqualTo("c");
  }

  @Test
  void invalidNamesComeBackAsReadableErrors() {
    String result =
        call("write_file_disk", """
            {"file_path": "/docs/../etc/", "filename": "passwd", "content": "x"}""");

    assertThat(result).startsWith("Error: invalid path").contains("file_path is a directory");
    assertThat(result).doesNotContain("Exception").doesNotContain("\tat ");
  }

  @Test
  void writeRoundTripsUnicode() {
    call("write_file_disk", """
        {"filename": "ünï.txt", "content": "Grüße 😀\\nzweite Zeile"}""");

    assertThat(text("/", "ünï.txt")).isEqualTo("Grüße 😀\nzweite Zeile");
    assertThat(call("read_file_disk", """
        {"filename": "ünï.txt"}""")).contains("1| Grüße 😀\n2| zweite Zeile");
  }

  // ------------------------------------------------------------------ read_file_disk

  private static final String FIVE_LINES = "Line 1\nLine 2\nLine 3\nLine 4\nLine 5\n";

  @Test
  void readShowsHeaderWithEtagAndNumberedLines() {
    Artifact a = put("/docs/", "five.txt", FIVE_LINES);

    String result = call("read_file_disk", """
        {"file_path": "/docs/", "filename": "five.txt"}""");

    assertThat(result)
        .isEqualTo("[/docs/five.txt | lines 1-5 of 5 lines | etag: " + a.etag()
            + " | text/plain, 35 bytes]\n1| Line 1\n2| Line 2\n3| Line 3\n4| Line 4\n5| Line 5");
    assertThat(etagIn(result)).isEqualTo(a.etag());
  }

  @Test
  void readWithOffsetAndLimitLikeAcontextsTest() {
    put("/", "five.txt", FIVE_LINES);

    String result = call("read_file_disk", """
        {"filename": "five.txt", "line_offset": 1, "line_limit": 2}""");

    assertThat(result).contains("lines 2-3 of 5 lines").contains("2| Line 2\n3| Line 3")
        .doesNotContain("Line 1").doesNotContain("Line 4")
        .contains("[2 more lines: call read_file_disk with line_offset=3 to continue]");
  }

  @Test
  void readWithNullOffsetAndLimitUsesDefaults() {
    put("/", "five.txt", FIVE_LINES);

    assertThat(call("read_file_disk", """
        {"file_path": null, "filename": "five.txt", "line_offset": null, "line_limit": null}"""))
        .contains("lines 1-5 of 5 lines");
  }

  @Test
  void readPagesThroughALongFile() {
    put("/", "long.txt", numberedLines(250));

    String first = call("read_file_disk", """
        {"filename": "long.txt"}""");
    assertThat(first).contains("lines 1-100 of 250 lines").contains("  1| row 1\n")
        .contains("100| row 100")
        .endsWith("[150 more lines: call read_file_disk with line_offset=100 to continue]");

    String last = call("read_file_disk", """
        {"filename": "long.txt", "line_offset": 200, "line_limit": 100}""");
    assertThat(last).contains("lines 201-250 of 250 lines").endsWith("250| row 250");
  }

  @Test
  void readPastTheEndIsAnError() {
    put("/", "five.txt", FIVE_LINES);

    assertThat(call("read_file_disk", """
        {"filename": "five.txt", "line_offset": 5}"""))
        .startsWith("Error: line_offset 5 is past the end of /five.txt, which has 5 lines; use a"
            + " line_offset from 0 to 4");
    assertThat(call("read_file_disk", """
        {"filename": "five.txt", "line_offset": 2147483647}"""))
        .startsWith("Error: line_offset 2147483647 is past the end");
  }

  @Test
  void readWithNegativeOrNonIntegerOffsetIsAnError() {
    put("/", "five.txt", FIVE_LINES);

    assertThat(call("read_file_disk", """
        {"filename": "five.txt", "line_offset": -1}"""))
        .isEqualTo("Error: line_offset must be an integer of at least 0, got -1");
    assertThat(call("read_file_disk", """
        {"filename": "five.txt", "line_offset": "abc"}"""))
        .isEqualTo("Error: line_offset must be an integer, got the string \"abc\"");
    assertThat(call("read_file_disk", """
        {"filename": "five.txt", "line_offset": 1.5}"""))
        .isEqualTo("Error: line_offset must be a whole number, got 1.5");
    assertThat(call("read_file_disk", """
        {"filename": "five.txt", "line_limit": 0}"""))
        .isEqualTo("Error: line_limit must be an integer from 1 to 2000, got 0");
    assertThat(call("read_file_disk", """
        {"filename": "five.txt", "line_limit": true}"""))
        .isEqualTo("Error: line_limit must be an integer, got true");
  }

  @Test
  void numericStringsAndWholeFloatsAreAccepted() {
    put("/", "five.txt", FIVE_LINES);

    assertThat(call("read_file_disk", """
        {"filename": "five.txt", "line_offset": "3", "line_limit": 1.0}"""))
        .contains("lines 4-4 of 5 lines").contains("4| Line 4");
  }

  @Test
  void hugeLimitIsCappedWithANote() {
    put("/", "five.txt", FIVE_LINES);

    assertThat(call("read_file_disk", """
        {"filename": "five.txt", "line_limit": 1000000000000}"""))
        .contains("lines 1-5 of 5 lines")
        .endsWith("[note: line_limit 1000000000000 is above the maximum; used 2000]");
  }

  @Test
  void readStaysWithinTheOutputLimitAndSaysWhereToContinue() {
    String row = "x".repeat(100);
    put("/", "wide.txt", IntStream.rangeClosed(1, 2000).mapToObj(i -> row).collect(
        Collectors.joining("\n")));

    String result = call("read_file_disk", """
        {"filename": "wide.txt", "line_limit": 2000}""");

    assertThat(result.length()).isLessThanOrEqualTo(20_000);
    assertThat(result).contains("(this result reached its size limit)");
    int next = Integer.parseInt(result.replaceAll("(?s).*line_offset=(\\d+) to continue.*", "$1"));
    assertThat(result).contains("lines 1-" + next + " of 2000 lines");
    assertThat(call("read_file_disk", """
        {"filename": "wide.txt", "line_offset": %d, "line_limit": 5}""".formatted(next)))
        .contains("lines " + (next + 1) + "-" + (next + 5) + " of 2000");
  }

  @Test
  void longLinesAreCut() {
    put("/", "one-line.txt", "y".repeat(5000));

    String result = call("read_file_disk", """
        {"filename": "one-line.txt"}""");

    assertThat(result).contains("1| " + "y".repeat(2000) + " [... line cut: 3000 more characters]")
        .endsWith("[lines longer than 2000 characters were cut]");
  }

  @Test
  void windowsLineBreaksAreShownWithoutCarriageReturns() {
    put("/", "crlf.txt", "a\r\nb\r\n");

    assertThat(call("read_file_disk", """
        {"filename": "crlf.txt"}""")).endsWith("lines 1-2 of 2 lines | etag: "
        + get("/", "crlf.txt").etag() + " | text/plain, 6 bytes]\n1| a\n2| b");
  }

  @Test
  void binaryFileIsReportedWithAPointerToDownload() {
    byte[] png = {
      (byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'
    };
    put("/img/", "logo.png", png, null);

    String result = call("read_file_disk", """
        {"file_path": "/img/", "filename": "logo.png"}""");

    assertThat(result)
        .isEqualTo("Error: /img/logo.png is not a text file (image/png, 16 bytes), so"
            + " read_file_disk cannot show it. Use download_file_disk to get a download URL for"
            + " it instead.");
  }

  @Test
  void readOfMissingFileSuggestsWhatExists() {
    put("/docs/", "Notes.md", "n");
    put("/docs/sub/", "x.md", "x");

    assertThat(call("read_file_disk", """
        {"file_path": "/docs/", "filename": "notes.md"}"""))
        .isEqualTo("Error: file not found: /docs/notes.md. Did you mean \"Notes.md\"? Names are"
            + " case-sensitive.");
    assertThat(call("read_file_disk", """
        {"file_path": "/docs/", "filename": "sub"}"""))
        .startsWith("Error: file not found: /docs/sub. /docs/sub/ is a directory: use list_disk");
    assertThat(call("read_file_disk", """
        {"file_path": "/nowhere/", "filename": "a.md"}"""))
        .startsWith("Error: file not found: /nowhere/a.md. The directory /nowhere/ is empty or"
            + " does not exist");
    assertThat(call("read_file_disk", """
        {"file_path": "/docs/", "filename": "other.md"}"""))
        .startsWith("Error: file not found: /docs/other.md. Names are case-sensitive; use"
            + " list_disk with file_path=\"/docs/\"");
  }

  @Test
  void truncatedTextIsFlagged(@TempDir Path dir) {
    try (DiskStore small =
        DiskStore.open(
            DiskStoreConfig.builder()
                .directory(dir)
                .backend(new InMemoryBlobBackend())
                .maxContentChars(50)
                .build())) {
      String disk = small.disks().create().id();
      DiskTools smallTools = DiskTools.forDisk(small, disk);
      smallTools.execute("write_file_disk", """
          {"filename": "big.txt", "content": "%s"}"""
          .formatted(numberedLines(30).replace("\n", "\\n")));

      String result = smallTools.execute("read_file_disk", """
          {"filename": "big.txt"}""");

      assertThat(result).contains("of at least ")
          .contains("[the store extracts only the first 50 characters of this file's text");
    }
  }

  @Test
  void customDefaultLineLimitIsUsedAndDescribed() {
    DiskTools custom = DiskTools.builder(store, diskId).defaultLineLimit(3).build();
    put("/", "five.txt", FIVE_LINES);

    assertThat(custom.execute("read_file_disk", """
        {"filename": "five.txt"}""")).contains("lines 1-3 of 5 lines");
    assertThat(custom.definitions().get(1).description()).contains("Returns 3 lines by default");
  }

  static String numberedLines(int n) {
    return IntStream.rangeClosed(1, n).mapToObj(i -> "row " + i + "\n")
        .collect(Collectors.joining());
  }
}
