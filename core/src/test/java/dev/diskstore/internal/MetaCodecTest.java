package dev.diskstore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.InvalidMetadataException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MetaCodecTest {
  private final MetaCodec codec = new MetaCodec(1024);

  @Test
  void roundTripsJsonValues() {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("s", "x");
    meta.put("i", 5);
    meta.put("l", 1L << 40);
    meta.put("d", 1.5);
    meta.put("b", true);
    meta.put("n", null);
    meta.put("list", Arrays.asList(1, "two", null));
    meta.put("obj", Map.of("k", List.of()));
    String json = codec.encode(meta);
    assertThat(codec.decode(json)).isEqualTo(meta);
  }

  @Test
  void rejectsReservedKeyNonJsonValuesAndOversize() {
    assertThatThrownBy(() -> codec.encode(Map.of("__artifact_info__", 1)))
        .isInstanceOf(InvalidMetadataException.class)
        .hasMessageContaining("reserved");
    assertThatThrownBy(() -> codec.encode(Map.of("when", new Object())))
        .isInstanceOf(InvalidMetadataException.class)
        .hasMessageContaining("\"when\"");
    assertThatThrownBy(() -> codec.encode(Map.of("x", Double.NaN)))
        .isInstanceOf(InvalidMetadataException.class);
    Map<Object, Object> badKey = new HashMap<>();
    badKey.put(1, "x");
    assertThatThrownBy(() -> codec.encode(Map.of("m", badKey)))
        .isInstanceOf(InvalidMetadataException.class);
    assertThatThrownBy(() -> codec.encode(Map.of("big", "x".repeat(2000))))
        .isInstanceOf(InvalidMetadataException.class)
        .hasMessageContaining("limit is 1024");
  }

  @Test
  void rejectsDeepAndCyclicStructuresWithoutStackOverflow() {
    List<Object> cyclic = new ArrayList<>();
    cyclic.add(cyclic);
    assertThatThrownBy(() -> codec.encode(Map.of("c", cyclic)))
        .isInstanceOf(InvalidMetadataException.class)
        .hasMessageContaining("deeper");
    Object deep = "leaf";
    for (int i = 0; i < 100; i++) {
      deep = List.of(deep);
    }
    Object finalDeep = deep;
    assertThatThrownBy(() -> codec.encode(Map.of("d", finalDeep)))
        .isInstanceOf(InvalidMetadataException.class);
  }
}
