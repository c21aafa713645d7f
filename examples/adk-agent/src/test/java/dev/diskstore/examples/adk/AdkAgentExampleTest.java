package dev.diskstore.examples.adk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactVersion;
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
class AdkAgentExampleTest {
  @TempDir Path directory;

  @Test
  void theSecondRunLoadsWhatTheFirstSavedAndBothVersionsAreKept() {
    List<String> lines = run(directory.resolve("store"));

    assertThat(lines).containsSubsequence(
        "== First run: a Runner with DiskStoreArtifactService on " + directory.resolve("store"),
        "agent> calls save_note {text=# Notes\\n- buy milk\\n}",
        "tool save_note> {saved=user:notes.md}",
        "  (saved user:notes.md as version 0)",
        "agent> calls save_note {text=# Notes\\n- buy milk\\n- call Bob\\n}",
        "  (saved user:notes.md as version 1)",
        "agent> Saved your notes, then added Bob.",
        "versions of user:notes.md: [0, 1]",
        "== Second run: the store reopened, a new Runner, a new session",
        "agent> calls read_note {version=0}",
        "tool read_note> {text=# Notes\\n- buy milk\\n, version=0}",
        "agent> calls load_artifacts {artifact_names=[user:notes.md]}",
        // the newest version reached the model through ADK's LoadArtifactsTool
        "agent> At first: # Notes\\n- buy milk\\n Now: # Notes\\n- buy milk\\n- call Bob\\n",
        "versions of user:notes.md: [0, 1]");
    assertThat(lines.get(lines.size() - 1))
        .matches("in the store: /notes-agent/alice/user/user:notes.md on disk [0-9a-f-]{36},"
            + " history \\(newest first\\) \\[1, 0\\]");
  }

  @Test
  void runningItAgainGoesOnNumberingOnTheSameDisk() {
    Path store = directory.resolve("store");
    run(store);

    List<String> lines = run(store);

    assertThat(lines).containsSubsequence(
        "  (saved user:notes.md as version 2)",
        "  (saved user:notes.md as version 3)",
        "versions of user:notes.md: [0, 1, 2, 3]");
    try (DiskStore reopened = AdkAgentExample.openStore(store)) {
      String diskId = AdkAgentExample.exampleDisk(reopened).id();
      assertThat(reopened.disks().list().items()).singleElement()
          .satisfies(disk -> assertThat(disk.id()).isEqualTo(diskId));
      Artifact notes = reopened.disks().artifacts().listAll(diskId, "/", 100, null).items().get(0);
      assertThat(reopened.disks().artifacts().versions(diskId, notes.path(), notes.filename())
              .items())
          .extracting(ArtifactVersion::version).containsExactly(3L, 2L, 1L, 0L);
    }
  }

  @Test
  void aFailureIsOneErrorLineAndStatusOne() throws Exception {
    Path notADirectory = Files.writeString(directory.resolve("occupied"), "a file");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      status = AdkAgentExample.run(notADirectory, out);
    }

    assertThat(status).isEqualTo(1);
    assertThat(bytes.toString(StandardCharsets.UTF_8).lines().toList()).last().asString()
        .startsWith("Error: ");
  }

  /** Runs the example on {@code store}, expecting success; its output lines. */
  private static List<String> run(Path store) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      status = AdkAgentExample.run(store, out);
    }
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
    assertThat(status).as("exit status; output:%n%s", String.join("\n", lines)).isZero();
    return lines;
  }
}
