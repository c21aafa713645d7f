package dev.diskstore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class QuickstartTest {

  @Test
  void printsEveryStepOfTheCompleteExample(@TempDir Path dir) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      status = Quickstart.run(dir.resolve("store"), out);
    }
    List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();

    assertThat(status).as("exit status; output:%n%s", String.join("\n", lines)).isZero();
    assertThat(lines).hasSize(10);
    assertThat(lines.get(0)).matches("✓ Created disk: [0-9a-f-]{36}");
    String diskId = lines.get(0).substring("✓ Created disk: ".length());
    assertThat(lines.get(1)).isEqualTo("✓ Uploaded: notes.md");
    assertThat(lines.get(2))
        .startsWith("✓ Download URL: http://127.0.0.1:")
        .contains("/v1/" + diskId + "/")
        .contains("notes.md")
        .contains("sig=");
    assertThat(lines.get(3)).isEqualTo("✓ Content type: text/markdown");
    assertThat(lines.get(4)).isEqualTo("✓ Content (text): # Meeting Notes\\nDiscussed Q4 goals.");
    assertThat(lines.get(5)).isEqualTo("✓ Found 1 file(s)");
    assertThat(lines.get(6)).isEqualTo("✓ Updated metadata");
    assertThat(lines.get(7)).isEqualTo("✓ Listed 1 disk(s) in 1 page(s)");
    assertThat(lines.get(8)).isEqualTo("✓ Async upload: /async.txt (13 bytes)");
    assertThat(lines.get(9)).isEqualTo("✓ Cleaned up resources");
  }

  @Test
  void reportsAFailureWithStatusOne(@TempDir Path dir) throws IOException {
    Path notADirectory = Files.writeString(dir.resolve("occupied"), "a file, not a directory");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    int status;
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      status = Quickstart.run(notADirectory, out);
    }
    String output = bytes.toString(StandardCharsets.UTF_8);

    assertThat(status).isEqualTo(1);
    assertThat(output.lines().toList()).singleElement().asString().startsWith("✗ Error: ");
  }
}
