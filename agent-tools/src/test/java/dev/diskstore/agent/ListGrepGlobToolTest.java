package dev.diskstore.agent;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ListGrepGlobToolTest extends DiskToolsTestBase {

  // ------------------------------------------------------------------ list_disk

  @Test
  void listShowsDirectoriesFirstThenFilesWithSizes() {
    put("/", "root.txt", "root");
    put("/docs/", "a.md", "# A");
    put("/src/", "main.py", "print(1)");

    assertThat(call("list_disk", """
        {"file_path": "/"}"""))
        .isEqualTo("[/ | 2 directories, 1 file]\nDirectories:\n  docs/\n  src/\nFiles:\n"
            + "  root.txt (4 bytes, text/plain)");
  }

  @Test
  void listWithoutArgumentsOrWithNullsListsTheRoot() {
    put("/", "root.txt", "root");

    assertThat(call("list_disk", "")).startsWith("[/ | 0 directories, 1 file]");
    assertThat(call("list_disk", "{}")).startsWith("[/ | 0 directories, 1 file]");
    assertThat(call("list_disk", """
        {"file_path": null, "limit": null, "cursor": null}"""))
        .startsWith("[/ | 0 directories, 1 file]");
    assertThat(call("list_disk", "{\"file_path\": \"\"}"))
        .startsWith("[/ | 0 directories, 1 file]");
  }

  @Test
  void listExplainsEmptyMissingAndFilePaths() {
    assertThat(call("list_disk", "{}"))
        .isEqualTo("[/ | 0 directories, 0 files] The disk is empty.");
    put("/docs/", "a.md", "a");

    assertThat(call("list_disk", """
        {"file_path": "/docs/nothing/"}"""))
        .isEqualTo("[/docs/nothing/ | 0 directories, 0 files] The directory /docs/nothing/ is"
            + " empty or does not exist. Use list_disk with file_path=\"/docs/\" to see what"
            + " exists there.");
    assertThat(call("list_disk", """
        {"file_path": "/docs/a.md"}"""))
        .isEqualTo("[/docs/a.md/ | not a directory] /docs/a.md is a file (1 bytes,"
            + " text/markdown); read it with read_file_disk.");
  }

  @Test
  void listPagesWithACursor() {
    for (String name : List.of("a", "b", "c", "d", "e")) {
      put("/p/", name + ".txt", name);
    }

    String first = call("list_disk", """
        {"file_path": "/p/", "limit": 2}""");
    assertThat(first).startsWith("[/p/ | 0 directories, 2 files, more follow]")
        .contains("a.txt").contains("b.txt");
    String cursor = first.replaceAll("(?s).*cursor=\"([^\"]+)\".*", "$1");

    String second = call("list_disk", """
        {"file_path": "/p/", "limit": 10, "cursor": "%s"}""".formatted(cursor));
    assertThat(second).startsWith("[/p/ | 0 directories, 3 files, continued]")
        .contains("c.txt").contains("e.txt").doesNotContain("a.txt").doesNotContain("cursor=");

    assertThat(call("list_disk", """
        {"file_path": "/p/", "cursor": "garbage"}"""))
        .startsWith("Error: the cursor is not valid for /p/");
  }

  @Test
  void largeListingsStayWithinTheOutputLimitAndTheCursorContinuesExactly() {
    for (int i = 0; i < 400; i++) {
      put("/many/", "file-with-a-rather-long-name-number-%04d.txt".formatted(i), "x");
    }
    List<String> seen = new ArrayList<>();
    String cursor = null;
    int calls = 0;
    do {
      String result = call("list_disk", cursor == null
          ? "{\"file_path\": \"/many/\", \"limit\": 1000}"
          : "{\"file_path\": \"/many/\", \"limit\": 1000, \"cursor\": \"" + cursor + "\"}");
      assertThat(result.length()).isLessThanOrEqualTo(20_000);
      Matcher names =
          Pattern.compile("file-with-a-rather-long-name-number-\\d{4}\\.txt").matcher(result);
      while (names.find()) {
        seen.add(names.group());
      }
      cursor = result.contains("cursor=\"")
          ? result.replaceAll("(?s).*cursor=\"([^\"]+)\".*", "$1")
          : null;
      calls++;
    } while (cursor != null && calls < 10);

    assertThat(calls).isGreaterThan(1);
    assertThat(seen).hasSize(400).doesNotHaveDuplicates().isSorted();
  }

  @Test
  void listLimitAboveTheMaximumIsCapped() {
    put("/", "a.txt", "a");

    assertThat(call("list_disk", """
        {"limit": 50000}""")).endsWith("[note: limit 50000 is above the maximum; used 1000]");
    assertThat(call("list_disk", """
        {"limit": 0}""")).isEqualTo("Error: limit must be an integer from 1 to 1000, got 0");
  }

  // ------------------------------------------------------------------ grep_disk

  private void putSources() {
    put("/src/", "app.py", "import os\n# TODO: fix this bug\nprint('hi')\n# todo lower\nend\n");
    put("/docs/", "notes.md", "nothing here\nTODO write docs\n");
    // a real PNG signature: the bytes say image, so grep skips it (text named .png would be text)
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', ' ', 'T', 'O', 'D', 'O'};
    put("/docs/", "image.png", png, null);
  }

  @Test
  void grepPrintsMatchesLikeGrepN() {
    putSources();

    assertThat(call("grep_disk", """
        {"query": "TODO"}"""))
        .isEqualTo("Found 2 matching lines in 2 files for \"TODO\" (2 text files searched):\n"
            + "/docs/notes.md:2: TODO write docs\n\n/src/app.py:2: # TODO: fix this bug");
  }

  @Test
  void grepCaseInsensitiveWithContextAndGlob() {
    putSources();

    assertThat(call("grep_disk", """
        {"query": "todo", "case_insensitive": true, "context_lines": 1, "glob": "**/*.py"}"""))
        .isEqualTo("Found 2 matching lines in 1 file for \"todo\" in files matching \"**/*.py\","
            + " ignoring case (1 text files searched):\n"
            + "/src/app.py-1- import os\n"
            + "/src/app.py:2: # TODO: fix this bug\n"
            + "/src/app.py-3- print('hi')\n"
            + "/src/app.py:4: # todo lower\n"
            + "/src/app.py-5- end");
  }

  @Test
  void grepSeparatesDistantMatchesWithDashes() {
    put("/", "far.txt", "hit\n1\n2\n3\n4\nhit\n");

    assertThat(call("grep_disk", """
        {"query": "^hit$", "context_lines": 1}"""))
        .endsWith("/far.txt:1: hit\n/far.txt-2- 1\n--\n/far.txt-5- 4\n/far.txt:6: hit");
  }

  @Test
  void grepWithNullOptionalArguments() {
    putSources();

    assertThat(call("grep_disk", """
        {"query": "TODO", "glob": null, "case_insensitive": null, "context_lines": null,
         "limit": null}""")).startsWith("Found 2 matching lines in 2 files");
  }

  @Test
  void grepLimitStopsAfterThatManyFiles() {
    putSources();

    assertThat(call("grep_disk", """
        {"query": "TODO", "limit": 1}"""))
        .startsWith("Found 1 matching line in 1 file")
        .endsWith("[stopped after 1 matching files; more files may match: raise limit (at most"
            + " 1000) or narrow the search with glob]");
  }

  @Test
  void grepWithoutMatchesSaysSoWithHints() {
    putSources();

    assertThat(call("grep_disk", """
        {"query": "FIXME"}"""))
        .isEqualTo("No lines match \"FIXME\" (2 text files searched). Matching is"
            + " case-sensitive: try case_insensitive=true.");
  }

  @Test
  void invalidRegexAndGlobAreExplained() {
    putSources();

    assertThat(call("grep_disk", """
        {"query": "fix(this"}"""))
        .startsWith("Error: ")
        .contains("fix(this")
        .endsWith("query is a Java regular expression: escape ( ) [ ] { } . * + ? ^ $ | and \\"
            + " with a backslash to match them literally.");
    assertThat(call("grep_disk", """
        {"query": "TODO", "glob": "{a"}"""))
        .startsWith("Error: ").endsWith("glob uses the syntax of glob_disk, e.g. \"**/*.md\".");
    assertThat(call("grep_disk", """
        {"query": ""}""")).startsWith("Error: query must not be empty");
  }

  @Test
  void contextLinesAboveTheMaximumAreCapped() {
    putSources();

    assertThat(call("grep_disk", """
        {"query": "TODO", "context_lines": 99}"""))
        .endsWith("[note: context_lines 99 is above the maximum; used 20]");
  }

  @Test
  void grepOutputStaysWithinTheLimit() {
    String line = "match " + "z".repeat(300) + "\n";
    for (int f = 0; f < 10; f++) {
      put("/big/", "f" + f + ".txt", line.repeat(40));
    }

    String result = call("grep_disk", """
        {"query": "match"}""");

    assertThat(result.length()).isLessThanOrEqualTo(20_000);
    assertThat(result).contains("[this result reached its size limit")
        .contains("more matching files are not shown: narrow the search with glob");
  }

  // ------------------------------------------------------------------ glob_disk

  @Test
  void globMatchesPerDirectoryLevelAndRecursively() {
    put("/", "readme.md", "r");
    put("/docs/", "a.md", "a");
    put("/docs/deep/", "b.md", "b");
    put("/src/", "main.py", "m");

    assertThat(call("glob_disk", """
        {"query": "**/*.md"}"""))
        .isEqualTo("Found 3 files matching \"**/*.md\":\n/readme.md (1 bytes)\n/docs/a.md (1"
            + " bytes)\n/docs/deep/b.md (1 bytes)");
    assertThat(call("glob_disk", """
        {"query": "*.md"}""")).isEqualTo("Found 1 file matching \"*.md\":\n/readme.md (1 bytes)");
    assertThat(call("glob_disk", """
        {"query": "/docs/**", "limit": null}""")).startsWith("Found 2 files");
  }

  @Test
  void globWithoutMatchesSuggestsRecursion() {
    put("/src/", "main.py", "m");

    assertThat(call("glob_disk", """
        {"query": "*.py"}"""))
        .isEqualTo("No files match \"*.py\". * and ? match within one directory level only; to"
            + " search all directories use \"**/*.py\".");
  }

  @Test
  void globLimitAndErrors() {
    for (int i = 0; i < 5; i++) {
      put("/", "f" + i + ".txt", "x");
    }

    assertThat(call("glob_disk", """
        {"query": "*.txt", "limit": 2}"""))
        .startsWith("Showing the first 2 files matching \"*.txt\" (more match):")
        .endsWith("[more files match: raise limit (at most 1000) or use a more specific pattern]");
    assertThat(call("glob_disk", """
        {"query": "{a,b"}""")).startsWith("Error: ");
    assertThat(call("glob_disk", "{}"))
        .startsWith("Error: missing required argument \"query\". glob_disk takes: query"
            + " (required), limit; received none.");
    assertThat(call("glob_disk", """
        {"query": 7}""")).isEqualTo("Error: query must be a string, got the number 7");
  }
}
