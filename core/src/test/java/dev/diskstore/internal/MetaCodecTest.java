package dev.diskstore.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.InvalidMetadataException;
import dev.diskstore.StorageException;
import java.math.BigDecimal;
import java.math.BigInteger;
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

  @Test
  void writesTheJsonTextObjectMapperWrote() {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("zeta", 1);
    meta.put("alpha", Arrays.asList((short) -2, (byte) 3, 4L, 1.5f, 1.0E-7, -0.0, null));
    meta.put(
        "decimals",
        List.of(new BigDecimal("1E+3"), new BigDecimal("0.10"), new BigDecimal("-2.5")));
    meta.put("big", new BigInteger("123456789012345678901234567890"));
    meta.put("text", "q\"b\\s/\n\t\u0000\u001f\u007f é😀\u2028");
    meta.put("flags", Map.of("on", true));
    meta.put("empty", Map.of());
    assertThat(codec.encode(meta))
        .isEqualTo(
            "{\"zeta\":1,\"alpha\":[-2,3,4,1.5,1.0E-7,-0.0,null],"
                + "\"decimals\":[1E+3,0.10,-2.5],\"big\":123456789012345678901234567890,"
                + "\"text\":\"q\\\"b\\\\s/\\n\\t\\u0000\\u001F\u007f é😀\u2028\","
                + "\"flags\":{\"on\":true},\"empty\":{}}");
  }

  @Test
  void readsBackNestedValuesWithTheirJavaTypes() {
    Map<String, Object> meta = new LinkedHashMap<>();
    meta.put("int", Integer.MAX_VALUE);
    meta.put("long", Integer.MAX_VALUE + 1L);
    meta.put("big", BigInteger.valueOf(Long.MAX_VALUE).add(BigInteger.ONE));
    meta.put("negativeBig", BigInteger.valueOf(Long.MIN_VALUE).subtract(BigInteger.ONE));
    meta.put("double", 2.5);
    meta.put("float", 0.5f);
    meta.put("decimal", new BigDecimal("0.25"));
    meta.put("nested", Map.of("list", List.of(Map.of("deep", Arrays.asList(true, false, null)))));
    meta.put("unicode", "é😀\u2028\u0001");

    Map<String, Object> read = codec.decode(codec.encode(meta));

    assertThat(read).isInstanceOf(LinkedHashMap.class);
    assertThat(read.get("int")).isEqualTo(Integer.MAX_VALUE);
    assertThat(read.get("long")).isEqualTo(Integer.MAX_VALUE + 1L);
    assertThat(read.get("big")).isEqualTo(new BigInteger("9223372036854775808"));
    assertThat(read.get("negativeBig")).isEqualTo(new BigInteger("-9223372036854775809"));
    // every fraction reads back as a Double
    assertThat(read.get("double")).isEqualTo(2.5);
    assertThat(read.get("float")).isEqualTo(0.5);
    assertThat(read.get("decimal")).isEqualTo(0.25);
    Object nested = read.get("nested");
    assertThat(nested).isInstanceOf(LinkedHashMap.class);
    Object list = ((Map<?, ?>) nested).get("list");
    assertThat(list).isInstanceOf(ArrayList.class);
    assertThat(((List<?>) list).get(0)).isEqualTo(Map.of("deep", Arrays.asList(true, false, null)));
    assertThat(read.get("unicode")).isEqualTo("é😀\u2028\u0001");
  }

  @Test
  void keepsKeyOrderInBothDirections() {
    Map<String, Object> meta = new LinkedHashMap<>();
    Map<String, Object> inner = new LinkedHashMap<>();
    for (int i = 40; i > 0; i--) {
      meta.put("k" + (i * 7919 % 97), i);
      inner.put("i" + (i * 31 % 89), i);
    }
    meta.put("inner", inner);
    Map<String, Object> read = codec.decode(codec.encode(meta));
    assertThat(List.copyOf(read.keySet())).isEqualTo(List.copyOf(meta.keySet()));
    assertThat(List.copyOf(((Map<?, ?>) read.get("inner")).keySet()))
        .isEqualTo(List.copyOf(inner.keySet()));
  }

  @Test
  void emptyMetadataIsAnEmptyObject() {
    assertThat(codec.encode(Map.of())).isEqualTo("{}");
    Map<String, Object> read = codec.decode("{}");
    assertThat(read).isEmpty();
    read.put("mutable", 1); // as ObjectMapper's LinkedHashMap was
    assertThat(codec.decode(" { } ")).isEmpty();
    assertThat(codec.decode("{\"a\":{},\"b\":[]}"))
        .isEqualTo(Map.of("a", Map.of(), "b", List.of()));
  }

  @Test
  void rejectsUnpairedSurrogatesAndAcceptsPairs() {
    assertThatThrownBy(() -> codec.encode(Map.of("s", "a\uD800b")))
        .isInstanceOf(InvalidMetadataException.class)
        .hasMessage("metadata text at \"s\" has an unpaired UTF-16 surrogate at index 1");
    assertThatThrownBy(() -> codec.encode(Map.of("a\uDC00b", "s")))
        .isInstanceOf(InvalidMetadataException.class)
        .hasMessageContaining("unpaired UTF-16 surrogate at index 1");
    assertThatThrownBy(() -> codec.encode(Map.of("l", List.of("ok", "\uD83D"))))
        .isInstanceOf(InvalidMetadataException.class)
        .hasMessageContaining("\"l[1]\"");
    assertThat(codec.decode(codec.encode(Map.of("pair", "\uD83D\uDE00"))))
        .isEqualTo(Map.of("pair", "😀"));
  }

  @Test
  void rejectsDecimalsADoubleWouldChange() {
    assertThatThrownBy(() -> codec.encode(Map.of("n", new BigDecimal("0.1000000000000000000001"))))
        .isInstanceOf(InvalidMetadataException.class)
        .hasMessage(
            "metadata value at \"n\" (0.1000000000000000000001) cannot be stored exactly as a"
                + " JSON number (a double); pass it as a string");
    assertThatThrownBy(() -> codec.encode(Map.of("n", new BigDecimal("1E+500"))))
        .isInstanceOf(InvalidMetadataException.class)
        .hasMessageContaining("cannot be stored exactly");
    assertThatThrownBy(() -> codec.encode(Map.of("n", new BigDecimal("1E-500"))))
        .isInstanceOf(InvalidMetadataException.class)
        .hasMessageContaining("cannot be stored exactly");
    assertThatThrownBy(() -> codec.encode(Map.of("f", Float.POSITIVE_INFINITY)))
        .isInstanceOf(InvalidMetadataException.class)
        .hasMessage("metadata value at \"f\" is Infinity, which JSON cannot represent");
  }

  @Test
  void rejectsWhatJacksonCouldNotReadBack() {
    MetaCodec roomy = new MetaCodec(1 << 20);
    assertThatThrownBy(() -> roomy.encode(Map.of("n", new BigInteger("1" + "0".repeat(1100)))))
        .isInstanceOf(InvalidMetadataException.class)
        .hasMessageStartingWith(
            "metadata cannot be stored as JSON that reads back: Number value length (1101)"
                + " exceeds the maximum allowed (1000");
    // numerically exact, so accepted by the decimal check, but 1,501 digits long
    assertThatThrownBy(() -> roomy.encode(Map.of("n", new BigDecimal("1." + "0".repeat(1500)))))
        .isInstanceOf(InvalidMetadataException.class)
        .hasMessageContaining("Number value length (1501)");
    assertThatThrownBy(() -> roomy.encode(Map.of("k".repeat(50_001), 1)))
        .isInstanceOf(InvalidMetadataException.class)
        .hasMessageStartingWith(
            "metadata cannot be stored as JSON that reads back: Name length (50001) exceeds the"
                + " maximum allowed (50000");
    Map<String, Object> atTheLimits = Map.of("k".repeat(50_000), new BigInteger("9".repeat(1000)));
    assertThat(roomy.decode(roomy.encode(atTheLimits))).isEqualTo(atTheLimits);
  }

  @Test
  void sizeLimitCountsUtf8BytesOfTheJsonText() {
    MetaCodec small = new MetaCodec(12);
    assertThat(small.encode(Map.of("k", "\u20ac"))).isEqualTo("{\"k\":\"\u20ac\"}"); // 11 bytes
    assertThatThrownBy(() -> small.encode(Map.of("k", "\u20ac\u20ac")))
        .isInstanceOf(InvalidMetadataException.class)
        .hasMessage("metadata is 14 bytes as JSON; the limit is 12 bytes");
    // escapes count as written: {"k":"\n\n\n"} is 14 bytes
    assertThatThrownBy(() -> small.encode(Map.of("k", "\n".repeat(3))))
        .isInstanceOf(InvalidMetadataException.class)
        .hasMessage("metadata is 14 bytes as JSON; the limit is 12 bytes");
  }

  @Test
  void reportsCorruptIndexTextAsStorageException() {
    // "null" is the one difference from ObjectMapper, which returned null for it
    for (String corrupt : List.of("", "[1]", "{\"a\":", "{\"a\":1} {}", "{\"a\":NaN}", "null")) {
      assertThatThrownBy(() -> codec.decode(corrupt))
          .as("decode %s", corrupt)
          .isInstanceOf(StorageException.class)
          .hasMessageStartingWith("corrupt metadata in the index: ");
    }
  }
}
