package dev.diskstore.adk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.InvalidPathException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The name encoding: readable where it can be, injective, and inside DiskStore's path rules. */
class LayoutTest {

  @Test
  void ordinaryNamesKeepTheirSpelling() {
    assertThat(Layout.encode("filename", "report.pdf")).isEqualTo("report.pdf");
    assertThat(Layout.encode("filename", "user:config.json")).isEqualTo("user:config.json");
    assertThat(Layout.encode("filename", "artifact_e-12ab_0")).isEqualTo("artifact_e-12ab_0");
    assertThat(Layout.encode("session id", "8c1f6d3e-0b9a-4f5e-9c1a-2d3b4c5d6e7f"))
        .isEqualTo("8c1f6d3e-0b9a-4f5e-9c1a-2d3b4c5d6e7f");
  }

  @Test
  void everythingElseIsEscapedAsUtf8Bytes() {
    assertThat(Layout.encode("filename", "images/cat.png")).isEqualTo("images%2Fcat.png");
    assertThat(Layout.encode("filename", "100%")).isEqualTo("100%25");
    assertThat(Layout.encode("filename", "a\\b")).isEqualTo("a%5Cb");
    assertThat(Layout.encode("filename", "meeting notes.md")).isEqualTo("meeting%20notes.md");
    assertThat(Layout.encode("filename", "café")).isEqualTo("caf%C3%A9");
    assertThat(Layout.encode("filename", "e\u0301")).isEqualTo("e%CC%81");
    assertThat(Layout.encode("filename", "😀")).isEqualTo("%F0%9F%98%80");
    assertThat(Layout.encode("filename", "a\u0000b\u007F")).isEqualTo("a%00b%7F");
    assertThat(Layout.encode("filename", ".")).isEqualTo("%2E");
    assertThat(Layout.encode("filename", "..")).isEqualTo("%2E%2E");
    assertThat(Layout.encode("filename", "...")).isEqualTo("...");
  }

  @Test
  void decodingGivesTheNameBackAndRefusesWhatEncodingNeverProduces() {
    for (String name : List.of("report.pdf", "images/cat.png", "café", "e\u0301", ".", "..",
        "100%", " x ", "😀", "a\u0000b")) {
      assertThat(Layout.decode(Layout.encode("filename", name))).hasValue(name);
    }
    assertThat(Layout.decode("caf%c3%a9")).isEmpty();      // lower-case hex
    assertThat(Layout.decode("%41")).isEmpty();            // "A" needs no escape
    assertThat(Layout.decode("café")).isEmpty();           // raw non-ASCII
    assertThat(Layout.decode("%C3")).isEmpty();            // not UTF-8
    assertThat(Layout.decode("50%")).isEmpty();            // cut escape
    assertThat(Layout.decode("%2")).isEmpty();
    assertThat(Layout.decode(".")).isEmpty();              // "." is stored as %2E
  }

  @Test
  void noTwoNamesShareAnEncodingAndEveryEncodingIsPlainAscii() {
    Random random = new Random(42);
    int[] alphabet = "aA.%/\\: \t\u00e9e\u0301\u202E\u200B😀-_".codePoints().toArray();
    Map<String, String> byEncoding = new HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      StringBuilder name = new StringBuilder();
      int length = 1 + random.nextInt(5);
      for (int j = 0; j < length; j++) {
        name.appendCodePoint(alphabet[random.nextInt(alphabet.length)]);
      }
      String encoded = Layout.encode("filename", name.toString());
      String earlier = byEncoding.putIfAbsent(encoded, name.toString());
      assertThat(earlier == null || earlier.equals(name.toString()))
          .as("%s and %s share %s", earlier, name, encoded).isTrue();
      assertThat(encoded).matches("[!-~]+").doesNotContain("/", "\\")
          .isNotIn(".", "..");
      assertThat(Layout.decode(encoded)).hasValue(name.toString());
    }
  }

  @Test
  void theDirectoriesSeparateSessionsFromTheUsersFiles() {
    assertThat(Layout.locate("app", "alice", "s1", "a.txt"))
        .isEqualTo(new Layout.Location("/app/alice/sessions/s1/", "a.txt"));
    assertThat(Layout.locate("app", "alice", "s1", "user:a.txt"))
        .isEqualTo(new Layout.Location("/app/alice/user/", "user:a.txt"));
    assertThat(Layout.locate("app", "alice", "user", "a.txt").directory())
        .isEqualTo("/app/alice/sessions/user/");
  }

  @Test
  void whatCannotBeOneSegmentIsRefused() {
    assertThatThrownBy(() -> Layout.encode("user id", ""))
        .isInstanceOf(InvalidPathException.class).hasMessageContaining("user id must not be empty");
    assertThatThrownBy(() -> Layout.encode("filename", "\uDC00"))
        .isInstanceOf(InvalidPathException.class).hasMessageContaining("surrogate");
    assertThat(Layout.encode("filename", "x".repeat(255))).hasSize(255);
    assertThatThrownBy(() -> Layout.encode("filename", "x".repeat(256)))
        .isInstanceOf(InvalidPathException.class).hasMessageContaining("255");
    // 85 two-byte characters are 170 bytes but 510 characters encoded
    assertThatThrownBy(() -> Layout.encode("filename", "é".repeat(85)))
        .isInstanceOf(InvalidPathException.class).hasMessageContaining("170 UTF-8 bytes");
  }
}
