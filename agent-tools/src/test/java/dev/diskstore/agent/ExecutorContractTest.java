package dev.diskstore.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.DiskNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** What execute() promises for any tool: text results, readable errors, never an exception. */
class ExecutorContractTest extends DiskToolsTestBase {

  @Test
  void unknownToolListsTheValidOnes() {
    String expected =
        "Error: unknown tool \"rm_disk\". The disk tools are: write_file_disk, read_file_disk,"
            + " replace_string_disk, list_disk, grep_disk, glob_disk, download_file_disk,"
            + " delete_file_disk, move_file_disk, list_versions_disk, restore_file_disk.";
    assertThat(call("rm_disk", "{}")).isEqualTo(expected);
    assertThat(tools.execute(null, null)).startsWith("Error: unknown tool \"\".");
  }

  @Test
  void malformedJsonIsExplainedWithAnExample() {
    assertThat(call("read_file_disk", "{\"filename\": \"a.txt\""))
        .startsWith("Error: the arguments are not valid JSON (")
        .contains("at line 1, column")
        .endsWith("Send one JSON object, for example {\"file_path\":\"/notes/\",\"filename\":"
            + "\"todo.md\",\"line_offset\":0,\"line_limit\":100}");
    assertThat(call("read_file_disk", "{'filename': 'a.txt'}"))
        .startsWith("Error: the arguments are not valid JSON");
    assertThat(call("read_file_disk", "{\"filename\": \"a.txt\"} trailing"))
        .startsWith("Error: the arguments are not valid JSON");
    assertThat(call("read_file_disk", "{\"filename\": \"a.txt\", \"filename\": \"b.txt\"}"))
        .startsWith("Error: the arguments are not valid JSON (Duplicate field 'filename'");
  }

  @Test
  void nonObjectArgumentsAreRejected() {
    assertThat(call("read_file_disk", "[\"a.txt\"]"))
        .startsWith("Error: the arguments must be a JSON object, got an array.");
    assertThat(call("read_file_disk", "42"))
        .startsWith("Error: the arguments must be a JSON object, got the number 42.");
    assertThat(call("read_file_disk", "\"a.txt\""))
        .startsWith("Error: the arguments must be a JSON object, got the string \"a.txt\".");
  }

  @Test
  void doubleEncodedArgumentsAreUnwrapped() {
    put("/", "a.txt", "hello");

    assertThat(call("read_file_disk", "\"{\\\"filename\\\": \\\"a.txt\\\"}\""))
        .contains("1| hello");
  }

  @Test
  void missingAndNullArgumentsForToolsWithRequiredOnes() {
    assertThat(call("write_file_disk", null))
        .startsWith("Error: missing required argument \"filename\"");
    assertThat(call("write_file_disk", "null"))
        .startsWith("Error: missing required argument \"filename\"");
    assertThat(call("write_file_disk", """
        {"filename": "a.txt"}"""))
        .isEqualTo("Error: missing required argument \"content\". write_file_disk takes:"
            + " file_path, filename (required), content (required), expected_etag, create_only;"
            + " received filename. Example: {\"file_path\":\"/notes/\",\"filename\":\"todo.md\","
            + "\"content\":\"# TODO\\n- call Bob\\n\"}");
    assertThat(call("write_file_disk", """
        {"filename": "a.txt", "content": null}"""))
        .startsWith("Error: missing required argument \"content\"");
    assertThat(call("grep_disk", "{}")).startsWith("Error: missing required argument \"query\"");
  }

  @Test
  void wrongTypesAreNamed() {
    assertThat(call("write_file_disk", """
        {"filename": "a.txt", "content": 42}"""))
        .isEqualTo("Error: content must be a string, got the number 42");
    assertThat(call("write_file_disk", """
        {"filename": ["a.txt"], "content": "x"}"""))
        .isEqualTo("Error: filename must be a string, got an array");
    assertThat(call("write_file_disk", """
        {"filename": "a.txt", "content": {"text": "x"}}"""))
        .isEqualTo("Error: content must be a string, got an object");
    assertThat(call("write_file_disk", """
        {"filename": "a.txt", "content": "x", "create_only": "yes"}"""))
        .isEqualTo("Error: create_only must be true or false, got the string \"yes\"");
    assertThat(call("grep_disk", """
        {"query": "a", "case_insensitive": 1}"""))
        .isEqualTo("Error: case_insensitive must be true or false, got the number 1");
    assertThat(call("list_disk", """
        {"file_path": false}""")).isEqualTo("Error: file_path must be a string, got false");
  }

  @Test
  void unknownFieldsAreIgnored() {
    assertThat(call("write_file_disk", """
        {"filename": "a.txt", "content": "x", "mode": "overwrite", "encoding": "utf-8"}"""))
        .startsWith("Created /a.txt");
  }

  @Test
  void errorsNeverCarryStackTraces() {
    List<String> results = new ArrayList<>();
    results.add(call("read_file_disk", "{\"filename\": \"..\"}"));
    results.add(call("read_file_disk", "{\"filename\": \"a\\u0000b\"}"));
    results.add(call("write_file_disk", """
        {"file_path": "a\\\\b", "filename": "x", "content": ""}"""));
    results.add(call("grep_disk", "{\"query\": \"(?<\"}"));
    results.add(call("glob_disk", "{\"query\": \"\\\\\"}"));
    for (String result : results) {
      assertThat(result).startsWith("Error: ").doesNotContain("\tat ").doesNotContain("Exception");
    }
  }

  @Test
  void deletedDiskAndClosedStoreAreReportedAsResults() {
    store.disks().delete(diskId);
    assertThat(call("list_disk", "{}"))
        .isEqualTo("Error: the disk " + diskId + " does not exist any more, so no disk tool can"
            + " work. Tell the user.");

    store.close();
    assertThat(call("read_file_disk", "{\"filename\": \"a.txt\"}"))
        .startsWith("Error: the file store has been closed");
  }

  @Test
  void forDiskChecksTheDiskExists() {
    assertThatThrownBy(() -> DiskTools.forDisk(store, "no-such-disk"))
        .isInstanceOf(DiskNotFoundException.class);
  }

  @Test
  void everyResultRespectsTheConfiguredOutputLimit() {
    DiskTools small = DiskTools.builder(store, diskId).maxOutputChars(2_000).build();
    put("/", "wide.txt", ("w".repeat(500) + "\n").repeat(50));
    for (int i = 0; i < 60; i++) {
      put("/dir/", "some-file-name-%03d.txt".formatted(i), "w");
    }

    for (String[] c :
        new String[][] {
          {"read_file_disk", "{\"filename\": \"wide.txt\", \"line_limit\": 2000}"},
          {"grep_disk", "{\"query\": \"w+\"}"},
          {"glob_disk", "{\"query\": \"**\"}"},
          {"list_disk", "{\"file_path\": \"/dir/\", \"limit\": 1000}"},
          {"write_file_disk", "{\"filename\": \"" + "n".repeat(3000) + "\", \"content\": \"\"}"},
        }) {
      assertThat(small.execute(c[0], c[1])).hasSizeLessThanOrEqualTo(2_000);
    }
  }

  @Test
  void concurrentCallsAreSafe() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<String>> results = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        int n = i;
        results.add(pool.submit(() -> call("write_file_disk", """
            {"file_path": "/c/", "filename": "f%d.txt", "content": "%d"}""".formatted(n, n))));
      }
      for (Future<String> f : results) {
        assertThat(f.get()).startsWith("Created /c/f");
      }
    } finally {
      pool.shutdown();
    }
    assertThat(store.disks().artifacts().list(diskId, "/c/").artifacts()).hasSize(40);
  }

  @Test
  void concurrentEditsWithEtagsNeverLoseAnUpdate() throws Exception {
    put("/", "counter.txt", "count=0");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Integer>> attempts = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        attempts.add(pool.submit(() -> {
          int done = 0;
          while (done < 5) {
            String read = call("read_file_disk", "{\"filename\": \"counter.txt\"}");
            String etag = etagIn(read);
            int value = Integer.parseInt(read.replaceAll("(?s).*count=(\\d+).*", "$1"));
            String result = call("replace_string_disk", """
                {"filename": "counter.txt", "old_string": "count=%d", "new_string": "count=%d",
                 "expected_etag": "%s"}""".formatted(value, value + 1, etag));
            if (result.startsWith("Replaced")) {
              done++;
            } else {
              assertThat(result).contains("changed since you read it");
            }
          }
          return done;
        }));
      }
      for (Future<Integer> f : attempts) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    assertThat(text("/", "counter.txt")).isEqualTo("count=20");
  }
}
