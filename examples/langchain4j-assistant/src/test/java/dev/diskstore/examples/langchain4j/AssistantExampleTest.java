package dev.diskstore.examples.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.DiskStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The example, run as its {@code main} runs it, on a store in a temporary directory. */
class AssistantExampleTest {
  @TempDir Path directory;

  @Test
  void theModelWritesListsAndReadsAFileThroughTheDiskTools() {
    Path store = directory.resolve("store");
    List<String> lines = run(store);

    assertThat(lines.get(0)).matches("disk [0-9a-f-]{36} in " + store);
    String diskId = lines.get(0).split(" ")[1];
    assertThat(lines).containsSubsequence(
        "user> " + AssistantExample.QUESTION,
        "assistant> calls write_file_disk {\"file_path\":\"/notes/\",\"filename\":\"todo.md\","
            + "\"content\":\"# TODO\\n- call Bob\\n- buy milk\\n\"}",
        "assistant> calls list_disk {\"file_path\":\"/notes/\"}",
        "tool> [/notes/ | 0 directories, 1 file]",
        "        todo.md (29 bytes, text/markdown)",
        "assistant> calls read_file_disk {\"file_path\":\"/notes/\",\"filename\":\"todo.md\"}",
        "      1| # TODO",
        "      2| - call Bob",
        "      3| - buy milk",
        "assistant> Your to-do list /notes/todo.md has 2 items: call Bob, buy milk.");
    assertThat(lines).anySatisfy(line ->
        assertThat(line).startsWith("tool> Created /notes/todo.md (29 bytes, text/markdown)."));

    // the file is in the store, on the example's disk
    try (DiskStore reopened = DiskStore.local(store)) {
      assertThat(reopened.disks().get(diskId).findUser()).hasValue(AssistantExample.DISK_USER);
      assertThat(reopened.disks().artifacts().list(diskId, "/notes/").artifacts())
          .singleElement()
          .satisfies(file -> assertThat(file.sizeBytes()).isEqualTo(29));
    }
  }

  @Test
  void theNextRunFindsTheSameDisk() {
    Path store = directory.resolve("store");
    String first = run(store).get(0);

    List<String> lines = run(store);

    assertThat(lines.get(0)).isEqualTo(first);
    assertThat(lines).last().asString()
        .isEqualTo("assistant> Your to-do list /notes/todo.md has 2 items: call Bob, buy milk.");
  }

  @Test
  void aFailureIsOneErrorLineAndStatusOne() throws Exception {
    Path notADirectory = Files.writeString(directory.resolve("occupied"), "a file");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      status = AssistantExample.run(notADirectory, out);
    }

    assertThat(status).isEqualTo(1);
    assertThat(bytes.toString(StandardCharsets.UTF_8).lines().toList()).singleElement().asString()
        .startsWith("Error: ");
  }

  /** Runs the example on {@code store}, expecting success; its output lines. */
  private static List<String> run(Path store) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      status = AssistantExample.run(store, out);
    }
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(status).as("exit status; output:%n%s", String.join("\n", lines)).isZero();
    return lines;
  }
}
