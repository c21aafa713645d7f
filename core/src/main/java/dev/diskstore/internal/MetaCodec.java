package dev.diskstore.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diskstore.ArtifactInfo;
import dev.diskstore.InvalidMetadataException;
import dev.diskstore.StorageException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Validates user metadata and converts it to and from the JSON text kept in the index. */
final class MetaCodec {
  static final int MAX_DEPTH = 64;
  private static final TypeReference<LinkedHashMap<String, Object>> MAP =
      new TypeReference<>() {};
  private final ObjectMapper mapper =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private final int maxBytes;

  MetaCodec(int maxBytes) {
    this.maxBytes = maxBytes;
  }

  /**
   * Checks user metadata and returns its JSON text.
   *
   * @throws InvalidMetadataException naming the offending key
   */
  String encode(Map<String, ?> meta) {
    if (meta.containsKey(ArtifactInfo.KEY)) {
      throw new InvalidMetadataException(
          "metadata key \"" + ArtifactInfo.KEY + "\" is reserved for system information");
    }
    check(meta, "", 0);
    String json;
    try {
      json = mapper.writeValueAsString(meta);
    } catch (JsonProcessingException e) {
      throw new InvalidMetadataException("metadata cannot be written as JSON: " + e.getOriginalMessage());
    }
    int bytes = json.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxBytes) {
      throw new InvalidMetadataException(
          "metadata is " + bytes + " bytes as JSON; the limit is " + maxBytes + " bytes");
    }
    try {
      // What is stored must read back: Jackson's read limits (number length, key length, ...)
      // are checked here, before anything is written.
      mapper.readTree(json);
    } catch (JsonProcessingException e) {
      throw new InvalidMetadataException(
          "metadata cannot be stored as JSON that reads back: " + e.getOriginalMessage());
    }
    return json;
  }

  Map<String, Object> decode(String json) {
    try {
      return mapper.readValue(json, MAP);
    } catch (JsonProcessingException e) {
      throw new StorageException("corrupt metadata in the index: " + e.getOriginalMessage(), e);
    }
  }

  private static void check(Object value, String where, int depth) {
    if (depth > MAX_DEPTH) {
      throw new InvalidMetadataException(
          "metadata is nested deeper than " + MAX_DEPTH + " levels at " + display(where));
    }
    if (value instanceof String text) {
      checkText(text, where);
      return;
    }
    if (value instanceof BigDecimal decimal) {
      // Decimals read back as doubles: refuse what a double would silently change.
      double d = decimal.doubleValue();
      if (Double.isInfinite(d) || BigDecimal.valueOf(d).compareTo(decimal) != 0) {
        throw new InvalidMetadataException(
            "metadata value at " + display(where) + " (" + abbreviate(decimal.toString())
                + ") cannot be stored exactly as a JSON number (a double); pass it as a string");
      }
      return;
    }
    if (value == null
        || value instanceof Boolean
        || value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte
        || value instanceof BigInteger) {
      return;
    }
    if (value instanceof Double d) {
      if (d.isNaN() || d.isInfinite()) {
        throw new InvalidMetadataException(
            "metadata value at " + display(where) + " is " + d + ", which JSON cannot represent");
      }
      return;
    }
    if (value instanceof Float f) {
      if (f.isNaN() || f.isInfinite()) {
        throw new InvalidMetadataException(
            "metadata value at " + display(where) + " is " + f + ", which JSON cannot represent");
      }
      return;
    }
    if (value instanceof Map<?, ?> map) {
      for (Map.Entry<?, ?> e : map.entrySet()) {
        if (!(e.getKey() instanceof String key)) {
          throw new InvalidMetadataException(
              "metadata object keys must be strings; found " + e.getKey() + " at " + display(where));
        }
        checkText(key, where + "." + abbreviate(key));
        check(e.getValue(), where + "." + key, depth + 1);
      }
      return;
    }
    if (value instanceof List<?> list) {
      int i = 0;
      for (Object o : list) {
        check(o, where + "[" + i++ + "]", depth + 1);
      }
      return;
    }
    throw new InvalidMetadataException(
        "metadata value at " + display(where) + " is a " + value.getClass().getName()
            + "; only maps, lists, strings, numbers, booleans and null are JSON");
  }

  /** Unpaired UTF-16 surrogates are not Unicode text: JSON writers would replace them with '?'. */
  private static void checkText(String text, String where) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new InvalidMetadataException(
            "metadata text at " + display(where) + " has an unpaired UTF-16 surrogate at index "
                + i);
      }
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 60) + "…";
  }

  private static String display(String where) {
    return where.isEmpty() ? "the top level" : "\"" + where.substring(1) + "\"";
  }
}
