package dev.diskstore.spi.index;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.ArtifactContent;
import org.junit.jupiter.api.Test;

class CachedContentTest {

  @Test
  void utf8WithoutReplacementsNeedsNoDetail() {
    ArtifactContent plain = new ArtifactContent(ArtifactContent.TEXT, "x", false);
    assertThat(CachedContent.detailOf(plain)).isNull();
    assertThat(CachedContent.parsed("text", "x", false, null)).isEqualTo(plain);
  }

  @Test
  void charsetAndLossyRoundTrip() {
    for (ArtifactContent content :
        new ArtifactContent[] {
          new ArtifactContent("text", "caf\u00e9", false, "windows-1252", false),
          new ArtifactContent("code", "a\ufffd", true, "UTF-16LE", true),
          new ArtifactContent("text", "a\ufffd", false, "UTF-8", true)
        }) {
      String detail = CachedContent.detailOf(content);
      assertThat(CachedContent.parsed(content.type(), content.raw(), content.truncated(), detail))
          .isEqualTo(content);
    }
  }

  @Test
  void unknownDetailReadsAsPlainUtf8() {
    assertThat(CachedContent.parsed("text", "x", false, "something else"))
        .isEqualTo(new ArtifactContent("text", "x", false));
    assertThat(CachedContent.parsed("text", "x", false, "charset=;lossy"))
        .isEqualTo(new ArtifactContent("text", "x", false));
  }
}
