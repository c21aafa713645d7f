package dev.diskstore.agent;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** {@code list_versions_disk}, {@code restore_file_disk} and {@code read_file_disk}'s version. */
class VersionToolsTest extends DiskToolsTestBase {

  @Test
  void listVersionsShowsEveryChangeNewestFirstAndPages() {
    put("/notes/", "todo.md", "# TODO\n- call Bob\n");
    call("write_file_disk", """
        {"file_path": "/notes/", "filename": "todo.md", "content": "# TODO\\n"}""");
    call("delete_file_disk", """
        {"file_path": "/notes/", "filename": "todo.md"}""");

    String result = call("list_versions_disk", """
        {"file_path": "/notes/", "filename": "todo.md"}""");
    assertThat(result).startsWith("Versions of /notes/todo.md, newest first:\n");
    assertThat(result.lines().skip(1).toList())
        .hasSize(3)
        .satisfies(lines -> {
          assertThat(lines.get(0)).startsWith("version 2 | ").contains("| deleted | no content");
          assertThat(lines.get(1)).startsWith("version 1 | ").contains("| written | 7 bytes, ");
          assertThat(lines.get(2)).startsWith("version 0 | ").contains("| written | 18 bytes, ");
        });

    String first = call("list_versions_disk", """
        {"file_path": "/notes/", "filename": "todo.md", "limit": 2}""");
    assertThat(first).contains("version 2 | ", "version 1 | ").doesNotContain("version 0 | ");
    String cursor = first.substring(first.indexOf("cursor=\"") + 8, first.lastIndexOf('"'));
    assertThat(call("list_versions_disk",
        "{\"file_path\": \"/notes/\", \"filename\": \"todo.md\", \"limit\": 2, \"cursor\": \""
            + cursor + "\"}"))
        .contains("version 0 | ").doesNotContain("version 1 | ");
    assertThat(call("list_versions_disk", """
        {"filename": "never.md"}"""))
        .startsWith("No versions of /never.md are kept");
  }

  @Test
  void readFileReadsAnOldVersion() {
    put("/", "plan.md", "first plan\n");
    put("/", "plan.md", "second plan\n");

    String old = call("read_file_disk", """
        {"filename": "plan.md", "version": 0}""");
    assertThat(old).contains("| version 0, not the current file | etag: ").contains("1| first plan");
    assertThat(call("read_file_disk", """
        {"filename": "plan.md"}""")).contains("1| second plan").doesNotContain("version");
    assertThat(call("read_file_disk", """
        {"filename": "plan.md", "version": 9}"""))
        .startsWith("Error: version 9 of /plan.md cannot be read or restored");
  }

  @Test
  void restoreUndeletesAndRespectsTheExpectedEtag() {
    put("/", "keep.txt", "precious\n");
    call("delete_file_disk", """
        {"filename": "keep.txt"}""");
    assertThat(exists("/", "keep.txt")).isFalse();

    String restored = call("restore_file_disk", """
        {"filename": "keep.txt", "version": 0}""");
    assertThat(restored).startsWith("Restored /keep.txt to the content of version 0 (9 bytes, ");
    assertThat(text("/", "keep.txt")).isEqualTo("precious\n");
    assertThat(etagIn(restored)).isEqualTo(get("/", "keep.txt").etag());

    put("/", "keep.txt", "changed\n");
    assertThat(call("restore_file_disk", """
        {"filename": "keep.txt", "version": 0, "expected_etag": "stale"}"""))
        .startsWith("Error: ").contains("nothing was restored");
    assertThat(text("/", "keep.txt")).isEqualTo("changed\n");
    assertThat(call("restore_file_disk", """
        {"filename": "keep.txt", "version": 1}"""))
        .startsWith("Error: version 1 of /keep.txt cannot be read or restored");
    assertThat(call("restore_file_disk", """
        {"filename": "keep.txt"}""")).startsWith("Error: ").contains("version");
  }
}
