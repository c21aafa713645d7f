package dev.diskstore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's Java snippets that name a compiled example ({@code <!-- snippet: FILE#TAG -->} on
 * the line before the code block) show exactly that example: its imports, then the lines between
 * {@code // tag::TAG[]} and {@code // end::TAG[]}, less the class-member indentation. So the
 * snippet compiles, and cannot drift from what compiles.
 */
class ReadmeSnippetsTest {
  private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
  private static final Pattern MARKER =
      Pattern.compile("<!-- snippet: (\\S+)#(\\S+) -->\\n```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void everyMarkedSnippetIsItsCompiledExample() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md"));
    Matcher m = MARKER.matcher(readme);
    int checked = 0;
    while (m.find()) {
      String expected = snippet(Files.readString(ROOT.resolve(m.group(1))), m.group(2));
      assertThat(m.group(3)).as("README snippet %s#%s", m.group(1), m.group(2))
          .isEqualTo(expected);
      checked++;
    }
    assertThat(checked).as("marked snippets in README.md").isGreaterThanOrEqualTo(1);
  }

  @Test
  void theQuickstartSnippetRuns(@TempDir Path data) throws IOException {
    ReadmeQuickstart.quickstart(data);
  }

  /** The imports of {@code source}, a blank line, and the tagged region dedented by two spaces. */
  static String snippet(String source, String tag) {
    List<String> lines = source.lines().toList();
    StringBuilder out = new StringBuilder();
    for (String line : lines) {
      if (line.startsWith("import ")) {
        out.append(line).append('\n');
      }
    }
    out.append('\n');
    int start = lines.indexOf("  // tag::" + tag + "[]");
    int end = lines.indexOf("  // end::" + tag + "[]");
    assertThat(start).as("tag %s", tag).isNotNegative();
    assertThat(end).as("end of tag %s", tag).isGreaterThan(start);
    for (String line : lines.subList(start + 1, end)) {
      out.append(line.startsWith("  ") ? line.substring(2) : line).append('\n');
    }
    return out.toString();
  }
}
