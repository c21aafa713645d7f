package dev.diskstore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.InvalidPathException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PathRulesTest {

  @ParameterizedTest(name = "\"{0}\" -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''|/",
        "/|/",
        "///|/",
        "documents/2024|/documents/2024/",
        "/documents/2024|/documents/2024/",
        "documents/2024/|/documents/2024/",
        "/documents/2024/|/documents/2024/",
        "//documents//2024//|/documents/2024/",
        "a b/c|/a b/c/",
        "Docs|/Docs/",
        ".hidden/x|/.hidden/x/",
        "...|/.../",
        "v1..2|/v1..2/",
        "文件夹/📁|/文件夹/📁/",
      })
  void normalisesDirectories(String input, String expected) {
    assertThat(PathRules.directory(input)).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        ".", "..", "a/../b", "a/./b", "../secret", "a/..", "a\u0000b", "a\nb", "a\tb", "a\u007fb",
        "a\u0085b", "a\\b", "\\", "a/b\\c"
      })
  void rejectsBadDirectories(String input) {
    assertThatThrownBy(() -> PathRules.directory(input))
        .isInstanceOf(InvalidPathException.class)
        .hasMessageContaining("invalid path");
  }

  @Test
  void segmentLimitIsInUtf8Bytes() {
    assertThat(PathRules.directory("a".repeat(255))).isEqualTo("/" + "a".repeat(255) + "/");
    assertThatThrownBy(() -> PathRules.directory("a".repeat(256)))
        .isInstanceOf(InvalidPathException.class)
        .hasMessageContaining("256 UTF-8 bytes");
    // 86 three-byte characters = 258 bytes, though only 86 chars
    assertThatThrownBy(() -> PathRules.directory("€".repeat(86)))
        .isInstanceOf(InvalidPathException.class);
    assertThat(PathRules.directory("€".repeat(85))).hasSize(87);
  }

  @Test
  void pathLimitIsInUtf8Bytes() {
    String seg = "a".repeat(200) + "/";
    String ok = seg.repeat(20); // 4020 bytes plus leading slash
    assertThat(PathRules.directory(ok)).startsWith("/a");
    assertThatThrownBy(() -> PathRules.directory(seg.repeat(21)))
        .isInstanceOf(InvalidPathException.class)
        .hasMessageContaining("4096");
  }

  @Test
  void normalisesToNfc() {
    assertThat(PathRules.directory("cafe\u0301")).isEqualTo("/caf\u00e9/");
    assertThat(PathRules.filename("e\u0301.txt")).isEqualTo("\u00e9.txt");
  }

  @Test
  void filenamesAreOneSegment() {
    assertThat(PathRules.filename("notes.md")).isEqualTo("notes.md");
    assertThat(PathRules.filename("..notes")).isEqualTo("..notes");
    for (String bad : new String[] {"", ".", "..", "a/b", "/a", "a\u0000", "a\\b", "x\ry"}) {
      assertThatThrownBy(() -> PathRules.filename(bad))
          .as(bad)
          .isInstanceOf(InvalidPathException.class);
    }
  }

  @Test
  void rejectsUnpairedSurrogates() {
    assertThatThrownBy(() -> PathRules.filename("a\ud800b"))
        .isInstanceOf(InvalidPathException.class)
        .hasMessageContaining("surrogate");
  }

  @Test
  void messageNamesTheInputAndEscapesControlCharacters() {
    assertThatThrownBy(() -> PathRules.directory("docs/a\u0001b"))
        .isInstanceOf(InvalidPathException.class)
        .hasMessageContaining("docs/a\\u0001b")
        .hasMessageContaining("U+0001");
  }

  @Test
  void ancestorsParentsAndNames() {
    assertThat(PathRules.selfAndAncestors("/")).isEmpty();
    assertThat(PathRules.selfAndAncestors("/a/b/c/")).containsExactly("/a/", "/a/b/", "/a/b/c/");
    assertThat(PathRules.parent("/a/")).isEqualTo("/");
    assertThat(PathRules.parent("/a/b/")).isEqualTo("/a/");
    assertThat(PathRules.name("/a/b/")).isEqualTo("b");
  }
}
