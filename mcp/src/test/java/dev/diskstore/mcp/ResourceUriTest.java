package dev.diskstore.mcp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ResourceUriTest {
  @Test
  void segmentsArePercentEncodedAndDecodedBack() {
    String uri = ResourceUri.of("d1", "/docs/a b/größe #1?.md");
    assertThat(uri).isEqualTo("diskstore://d1/docs/a%20b/gr%C3%B6%C3%9Fe%20%231%3F.md");
    assertThat(ResourceUri.parse(uri))
        .isEqualTo(new ResourceUri("d1", "/docs/a b/", "größe #1?.md"));
    assertThat(ResourceUri.parse("diskstore://d1/top.txt"))
        .isEqualTo(new ResourceUri("d1", "/", "top.txt"));
    assertThat(ResourceUri.parse("diskstore://d1/a%2db.txt").uri())
        .isEqualTo("diskstore://d1/a-b.txt");
  }

  @Test
  void nothingOutsideTheTreeCanBeNamed() {
    for (String bad : new String[] {
        "http://d1/a.txt", "diskstore://d1", "diskstore://d1/", "diskstore://d1/a/", "diskstore://d1/../a",
        "diskstore://d1/a/./b", "diskstore://d1/%2e%2E/a", "diskstore://d1/a%2Fb", "diskstore://d1/a%5Cb",
        "diskstore://d1/a%00b", "diskstore://d1/a%zz", "diskstore://d1/a%C3", "diskstore://d1/a b",
        "diskstore://d1/a?x=1", "diskstore://d1/a#f", "diskstore:///a.txt"}) {
      assertThatThrownBy(() -> ResourceUri.parse(bad)).as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
