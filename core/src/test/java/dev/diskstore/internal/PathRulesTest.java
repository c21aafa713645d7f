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

  // ---------------------------------------------------------------- look-alike names

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // input | code point | where
        "evil\u202Etxt.exe|U+202E RIGHT-TO-LEFT OVERRIDE|character 5 of segment",
        "a\u200Bb.txt|U+200B ZERO WIDTH SPACE|character 2 of segment",
        "\uFEFFnotes.md|U+FEFF ZERO WIDTH NO-BREAK SPACE|character 1 of segment",
        "a\u2060b|U+2060 WORD JOINER|character 2 of segment",
        "a\u00ADb|U+00AD SOFT HYPHEN|character 2 of segment",
        "x\u2066y\u2069|U+2066 LEFT-TO-RIGHT ISOLATE|character 2 of segment",
        "a\u2028b|U+2028 LINE SEPARATOR|character 2 of segment",
        "\u3164x|U+3164 HANGUL FILLER|character 1 of segment",
        "ab\u200D.txt|U+200D ZERO WIDTH JOINER|character 3 of segment",
        "a\u200Cb|U+200C ZERO WIDTH NON-JOINER|character 2 of segment",
      })
  void newNamesRejectInvisibleCharactersNamingCodePointAndPlace(
      String name, String codePoint, String where) {
    assertThatThrownBy(() -> PathRules.newFilename(name))
        .isInstanceOf(InvalidPathException.class)
        .hasMessageContaining(codePoint)
        .hasMessageContaining(where)
        .hasMessageNotContaining(name); // shown escaped, so the message cannot be reordered
    assertThatThrownBy(() -> PathRules.newDirectory("/docs/" + name + "/x/"))
        .isInstanceOf(InvalidPathException.class)
        .hasMessageContaining(codePoint);
  }

  @Test
  void tagCharactersAreRejected() {
    // U+E0041 TAG LATIN CAPITAL LETTER A: invisible ASCII, used to smuggle text past readers
    String smuggled = "report" + new String(Character.toChars(0xE0041)) + ".pdf";
    assertThatThrownBy(() -> PathRules.newFilename(smuggled))
        .isInstanceOf(InvalidPathException.class)
        .hasMessageContaining("U+E0041")
        .hasMessageContaining("character 7 of segment");
  }

  @Test
  void joinersAreKeptWhereTheyAreVisible() {
    String technologist = "\uD83D\uDC69\u200D\uD83D\uDCBB.png"; // woman + ZWJ + laptop
    assertThat(PathRules.newFilename(technologist)).isEqualTo(technologist);
    String family = "\uD83D\uDC68\uD83C\uDFFD\u200D\uD83D\uDC69\u200D\uD83D\uDC67"; // skin tone
    assertThat(PathRules.newDirectory(family)).isEqualTo("/" + family + "/");
    String rainbowFlag = "\uD83C\uDFF3\uFE0F\u200D\uD83C\uDF08.svg";
    assertThat(PathRules.newFilename(rainbowFlag)).isEqualTo(rainbowFlag);
    String persian = "\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645.txt"; // ZWNJ in a word
    assertThat(PathRules.newFilename(persian)).isEqualTo(persian);
    String devanagari = "\u0915\u094D\u200D\u0937.md"; // KA VIRAMA ZWJ SSA: half form
    assertThat(PathRules.newFilename(devanagari)).isEqualTo(devanagari);
    for (String lookAlike : new String[] {
        "\u200D\uD83D\uDC69", "\uD83D\uDC69\u200D", "a\u200Db", "\u0645\u200Ca",
        "\uD83D\uDC69\u200Da", "\u0915\u200D\u0645"}) {
      assertThatThrownBy(() -> PathRules.newFilename(lookAlike))
          .as(lookAlike)
          .isInstanceOf(InvalidPathException.class)
          .hasMessageContaining("U+200");
    }
  }

  @ParameterizedTest(name = "[{index}] {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "' '|only whitespace",
        "'   '|only whitespace",
        "\u00A0|only whitespace",
        "\u3000\u2003|only whitespace",
        "\u2800|only whitespace",
        "' a.txt'|U+0020 SPACE at the start of segment",
        "'a.txt '|U+0020 SPACE at the end of segment",
        "\u00A0a.txt|U+00A0 NO-BREAK SPACE at the start of segment",
        "a.txt\u3000|U+3000 IDEOGRAPHIC SPACE at the end of segment",
      })
  void newNamesRejectBlankSegmentsAndOuterWhitespace(String name, String message) {
    assertThatThrownBy(() -> PathRules.newFilename(name))
        .isInstanceOf(InvalidPathException.class)
        .hasMessageContaining(message);
    assertThatThrownBy(() -> PathRules.newDirectory("docs/" + name + "/2024"))
        .isInstanceOf(InvalidPathException.class)
        .hasMessageContaining(message);
  }

  @Test
  void innerWhitespaceAndVisibleUnicodeStayValid() {
    assertThat(PathRules.newFilename("meeting notes.md")).isEqualTo("meeting notes.md");
    assertThat(PathRules.newFilename("a\u00A0b")).isEqualTo("a\u00A0b");
    assertThat(PathRules.newDirectory("/my  docs/2024 Q1/")).isEqualTo("/my  docs/2024 Q1/");
    assertThat(PathRules.newDirectory("文件夹/📁")).isEqualTo("/文件夹/📁/");
    assertThat(PathRules.newFilename("\u05E9\u05DC\u05D5\u05DD.txt")).startsWith("\u05E9");
  }

  @Test
  void lookupsStillAddressNamesThatNewNamesRefuse() {
    // Artifacts an older version stored under such names stay readable, deletable and movable.
    assertThat(PathRules.filename(" a.txt")).isEqualTo(" a.txt");
    assertThat(PathRules.filename("evil\u202Etxt.exe")).isEqualTo("evil\u202Etxt.exe");
    assertThat(PathRules.directory("/ /")).isEqualTo("/ /");
    // and the rules both share still hold
    assertThatThrownBy(() -> PathRules.filename("a\u0001b")).isInstanceOf(InvalidPathException.class);
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
