package dev.diskstore.agent;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.Artifact;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ReplaceStringToolTest extends DiskToolsTestBase {
  private static final String GREETINGS = "Hello world\nHello again\nsay Hello\n";

  @Test
  void noOccurrenceChangesNothing() {
    Artifact before = put("/", "g.txt", GREETINGS);

    String result =
        call("replace_string_disk", """
            {"filename": "g.txt", "old_string": "Goodbye", "new_string": "Bye"}""");

    assertThat(result)
        .startsWith("Error: old_string was not found in /g.txt; nothing was changed.")
        .endsWith("Read the file again with read_file_disk and copy the text exactly.");
    assertThat(get("/", "g.txt").etag()).isEqualTo(before.etag());
  }

  @Test
  void oneOccurrenceIsReplacedAndTheNewEtagReturned() {
    put("/", "g.txt", GREETINGS);

    String result =
        call("replace_string_disk", """
            {"filename": "g.txt", "old_string": "again", "new_string": "once more"}""");

    assertThat(result)
        .isEqualTo("Replaced 1 occurrence of old_string in /g.txt (line 2). etag: "
            + get("/", "g.txt").etag());
    assertThat(text("/", "g.txt")).isEqualTo("Hello world\nHello once more\nsay Hello\n");
  }

  @Test
  void manyOccurrencesAreAllReplacedByDefaultExactlyAsReported() {
    put("/", "g.txt", GREETINGS);

    String result =
        call("replace_string_disk", """
            {"filename": "g.txt", "old_string": "Hello", "new_string": "Hi"}""");

    assertThat(result)
        .startsWith("Replaced 3 occurrences of old_string in /g.txt (lines 1, 2, 3).");
    assertThat(text("/", "g.txt")).isEqualTo("Hi world\nHi again\nsay Hi\n");
  }

  @Test
  void overlappingCandidatesCountAsTheyAreReplaced() {
    put("/", "a.txt", "aaaa a");

    assertThat(call("replace_string_disk", """
        {"filename": "a.txt", "old_string": "aa", "new_string": "b"}"""))
        .startsWith("Replaced 2 occurrences");
    assertThat(text("/", "a.txt")).isEqualTo("bb a");
  }

  @Test
  void replaceAllFalseRequiresAUniqueOccurrence() {
    Artifact before = put("/", "g.txt", GREETINGS);

    String refused =
        call("replace_string_disk", """
            {"filename": "g.txt", "old_string": "Hello", "new_string": "Hi",
             "replace_all": false}""");
    assertThat(refused)
        .isEqualTo("Error: old_string occurs 3 times in /g.txt (lines 1, 2, 3) but"
            + " replace_all=false requires exactly one; nothing was changed. Include more"
            + " surrounding text in old_string to make it unique, or set replace_all=true to"
            + " replace all 3.");
    assertThat(get("/", "g.txt").etag()).isEqualTo(before.etag());

    assertThat(call("replace_string_disk", """
        {"filename": "g.txt", "old_string": "say Hello", "new_string": "say Hi",
         "replace_all": false}"""))
        .startsWith("Replaced 1 occurrence of old_string in /g.txt (line 3)");
  }

  @Test
  void expectedCountMustMatch() {
    Artifact before = put("/", "g.txt", GREETINGS);

    assertThat(call("replace_string_disk", """
        {"filename": "g.txt", "old_string": "Hello", "new_string": "Hi", "expected_count": 2}"""))
        .startsWith("Error: old_string occurs 3 times in /g.txt (lines 1, 2, 3) but expected_count"
            + " is 2; nothing was changed.");
    assertThat(get("/", "g.txt").etag()).isEqualTo(before.etag());

    assertThat(call("replace_string_disk", """
        {"filename": "g.txt", "old_string": "Hello", "new_string": "Hi", "expected_count": 3}"""))
        .startsWith("Replaced 3 occurrences");
  }

  @Test
  void conflictingUniquenessArgumentsAreRejected() {
    put("/", "g.txt", GREETINGS);

    assertThat(call("replace_string_disk", """
        {"filename": "g.txt", "old_string": "Hello", "new_string": "Hi", "replace_all": false,
         "expected_count": 3}"""))
        .startsWith("Error: replace_all=false requires exactly one occurrence but expected_count"
            + " is 3");
  }

  @Test
  void emptyOrIdenticalOldStringIsRejected() {
    put("/", "g.txt", GREETINGS);

    assertThat(call("replace_string_disk", """
        {"filename": "g.txt", "old_string": "", "new_string": "x"}"""))
        .startsWith("Error: old_string must not be empty.");
    assertThat(call("replace_string_disk", """
        {"filename": "g.txt", "old_string": "Hello", "new_string": "Hello"}"""))
        .startsWith("Error: old_string and new_string are identical");
    assertThat(text("/", "g.txt")).isEqualTo(GREETINGS);
  }

  @Test
  void emptyNewStringDeletesTheText() {
    put("/", "g.txt", GREETINGS);

    call("replace_string_disk", """
        {"filename": "g.txt", "old_string": "say Hello\\n", "new_string": ""}""");

    assertThat(text("/", "g.txt")).isEqualTo("Hello world\nHello again\n");
  }

  @Test
  void userMetadataAndContentTypeAreKept() {
    put("/docs/", "plan.md", "# Plan\nstep one\n".getBytes(UTF_8), Map.of("owner", "bob", "v", 3));

    call("replace_string_disk", """
        {"file_path": "/docs/", "filename": "plan.md", "old_string": "one",
         "new_string": "two"}""");

    Artifact after = get("/docs/", "plan.md");
    assertThat(after.userMeta()).isEqualTo(Map.of("owner", "bob", "v", 3));
    assertThat(after.contentType()).isEqualTo("text/markdown");
    assertThat(text("/docs/", "plan.md")).isEqualTo("# Plan\nstep two\n");
  }

  @Test
  void readThenReplaceWithTheEtagAndAStaleEtagIsRefused() {
    put("/", "g.txt", GREETINGS);
    String etag = etagIn(call("read_file_disk", """
        {"filename": "g.txt"}"""));

    String first =
        call("replace_string_disk", """
            {"filename": "g.txt", "old_string": "world", "new_string": "there",
             "expected_etag": "%s"}""".formatted(etag));
    assertThat(first).startsWith("Replaced 1 occurrence");
    String newEtag = etagIn(first);

    String second =
        call("replace_string_disk", """
            {"filename": "g.txt", "old_string": "again", "new_string": "anew",
             "expected_etag": "%s"}""".formatted(etag));
    assertThat(second)
        .isEqualTo("Error: /g.txt changed since you read it: its etag is now " + newEtag
            + ", not " + etag + "; nothing was changed. Read it again with read_file_disk and"
            + " retry with the new etag.");
    assertThat(text("/", "g.txt")).isEqualTo("Hello there\nHello again\nsay Hello\n");
  }

  @Test
  void nullOptionalArgumentsAreAbsent() {
    put("/", "g.txt", GREETINGS);

    assertThat(call("replace_string_disk", """
        {"file_path": null, "filename": "g.txt", "old_string": "Hello", "new_string": "Hi",
         "replace_all": null, "expected_count": null, "expected_etag": null}"""))
        .startsWith("Replaced 3 occurrences");
  }

  @Test
  void missingRequiredArgumentsAreNamed() {
    put("/", "g.txt", GREETINGS);

    assertThat(call("replace_string_disk", """
        {"filename": "g.txt", "new_string": "Hi"}"""))
        .startsWith("Error: missing required argument \"old_string\". replace_string_disk takes:"
            + " file_path, filename (required), old_string (required), new_string (required),"
            + " replace_all, expected_count, expected_etag; received filename, new_string.");
    assertThat(call("replace_string_disk", """
        {"filename": "g.txt", "old_string": "Hello", "new_string": null}"""))
        .startsWith("Error: missing required argument \"new_string\"");
  }

  @Test
  void windowsLineBreaksMatchTextCopiedWithNewlines() {
    put("/", "crlf.txt", "one\r\ntwo\r\nthree\r\n");

    assertThat(call("replace_string_disk", """
        {"filename": "crlf.txt", "old_string": "one\\ntwo", "new_string": "1\\n2"}"""))
        .startsWith("Replaced 1 occurrence of old_string in /crlf.txt (line 1)");
    assertThat(text("/", "crlf.txt")).isEqualTo("1\r\n2\r\nthree\r\n");
  }

  @Test
  void hintsWhenOnlyWhitespaceOrCaseDiffers() {
    put("/", "g.txt", GREETINGS);

    assertThat(call("replace_string_disk", """
        {"filename": "g.txt", "old_string": "  Hello again  ", "new_string": "x"}"""))
        .contains("Without its leading and trailing whitespace it occurs on line 2.");
    assertThat(call("replace_string_disk", """
        {"filename": "g.txt", "old_string": "SAY HELLO", "new_string": "x"}"""))
        .contains("It occurs with different upper/lower case on line 3.");
  }

  @Test
  void binaryFilesAreNotEdited() {
    put("/", "blob.bin", new byte[] {1, 2, 0, (byte) 0xff, 'a'}, null);

    assertThat(call("replace_string_disk", """
        {"filename": "blob.bin", "old_string": "a", "new_string": "b"}"""))
        .isEqualTo("Error: /blob.bin is not a UTF-8 text file (application/octet-stream);"
            + " replace_string_disk only edits text files.");
  }

  @Test
  void filesOverTheEditLimitAreRefused() {
    DiskTools small = DiskTools.builder(store, diskId).maxEditBytes(10).build();
    put("/", "g.txt", GREETINGS);

    assertThat(small.execute("replace_string_disk", """
        {"filename": "g.txt", "old_string": "Hello", "new_string": "Hi"}"""))
        .startsWith("Error: /g.txt (34 bytes) is too large to edit with replace_string_disk"
            + " (limit 10 bytes)");
  }

  @Test
  void missingFileIsReported() {
    assertThat(call("replace_string_disk", """
        {"filename": "none.txt", "old_string": "a", "new_string": "b"}"""))
        .startsWith("Error: file not found: /none.txt.");
  }
}
