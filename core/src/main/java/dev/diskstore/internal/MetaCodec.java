package dev.diskstore.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.diskstore.ArtifactInfo;
import dev.diskstore.InvalidMetadataException;
import dev.diskstore.StorageException;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Validates user metadata and converts it to and from the JSON text kept in the index.
 *
 * <p>Written on jackson-core's streaming API rather than databind's {@code ObjectMapper}: the
 * mapper's construction dominated a cold store's first open (BENCHMARKS.md, section 6). The JSON
 * text and the values read back are the ones {@code ObjectMapper} produced: objects in the map's
 * iteration order, {@code BigDecimal} as {@code toString()}; objects read as {@code LinkedHashMap},
 * arrays as {@code ArrayList}, integers as the smallest of {@code Integer}, {@code Long} and {@code
 * BigInteger}, other numbers as {@code Double}. The JSON factory is created on the first metadata
 * that is not empty, so that a store that never sees any does not load Jackson at all.
 *
 * <p>Thread-safe and stateless apart from the limit.
 */
final class MetaCodec {
  static final int MAX_DEPTH = 64;
  private static final String EMPTY_OBJECT = "{}";
  private final int maxBytes;

  /** Created on first use: loading and initialising jackson-core is most of a codec's cost. */
  private static final class Json {
    /** Default read constraints, as {@code new ObjectMapper()} had. */
    static final JsonFactory FACTORY = new JsonFactory();
  }

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
    if (meta.isEmpty() && maxBytes >= EMPTY_OBJECT.length()) {
      return EMPTY_OBJECT;
    }
    String json;
    try {
      json = write(meta);
    } catch (JsonProcessingException e) {
      throw new InvalidMetadataException(
          "metadata cannot be written as JSON: " + e.getOriginalMessage());
    }
    int bytes = json.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > maxBytes) {
      throw new InvalidMetadataException(
          "metadata is " + bytes + " bytes as JSON; the limit is " + maxBytes + " bytes");
    }
    try {
      // What is stored must read back: Jackson's read limits (number length, key length, string
      // length, ...) are checked here, before anything is written.
      readBack(json);
    } catch (JsonProcessingException e) {
      throw new InvalidMetadataException(
          "metadata cannot be stored as JSON that reads back: " + e.getOriginalMessage());
    }
    return json;
  }

  /**
   * Reads metadata written by {@link #encode}.
   *
   * @throws StorageException when the text is not a JSON object
   */
  Map<String, Object> decode(String json) {
    if (json.equals(EMPTY_OBJECT)) {
      return new LinkedHashMap<>();
    }
    try (JsonParser parser = Json.FACTORY.createParser(json)) {
      JsonToken first = parser.nextToken();
      if (first == null) {
        throw new JsonParseException(parser, "No content to map due to end-of-input");
      }
      if (first != JsonToken.START_OBJECT) {
        throw new JsonParseException(parser, "expected a JSON object, found " + first);
      }
      Map<String, Object> meta = readObject(parser);
      JsonToken trailing = parser.nextToken();
      if (trailing != null) {
        throw new JsonParseException(
            parser, "Trailing token (of type " + trailing + ") found after the JSON object");
      }
      return meta;
    } catch (JsonProcessingException e) {
      throw new StorageException("corrupt metadata in the index: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      // a String source does no I/O
      throw new UncheckedIOException(e);
    }
  }

  /** Writes checked metadata: only the types {@link #check} accepts reach here. */
  private static String write(Map<String, ?> meta) throws JsonProcessingException {
    StringWriter out = new StringWriter(64);
    try (JsonGenerator generator = Json.FACTORY.createGenerator(out)) {
      writeValue(generator, meta);
    } catch (JsonProcessingException e) {
      throw e;
    } catch (IOException e) {
      // a StringWriter does no I/O
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private static void writeValue(JsonGenerator generator, @Nullable Object value)
      throws IOException {
    if (value == null) {
      generator.writeNull();
    } else if (value instanceof String text) {
      generator.writeString(text);
    } else if (value instanceof Boolean bool) {
      generator.writeBoolean(bool);
    } else if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
      generator.writeNumber(((Number) value).intValue());
    } else if (value instanceof Long number) {
      generator.writeNumber(number.longValue());
    } else if (value instanceof Double number) {
      generator.writeNumber(number.doubleValue());
    } else if (value instanceof Float number) {
      generator.writeNumber(number.floatValue());
    } else if (value instanceof BigInteger number) {
      generator.writeNumber(number);
    } else if (value instanceof BigDecimal number) {
      generator.writeNumber(number);
    } else if (value instanceof Map<?, ?> map) {
      generator.writeStartObject();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        generator.writeFieldName((String) e.getKey());
        writeValue(generator, e.getValue());
      }
      generator.writeEndObject();
    } else if (value instanceof List<?> list) {
      generator.writeStartArray();
      for (Object element : list) {
        writeValue(generator, element);
      }
      generator.writeEndArray();
    } else {
      throw new IllegalStateException("unchecked metadata value " + value.getClass().getName());
    }
  }

  /**
   * Parses the text as {@code ObjectMapper.readTree} did, to meet the same read constraints: every
   * string and number is materialised (string and number length limits apply on access).
   */
  private static void readBack(String json) throws JsonProcessingException {
    try (JsonParser parser = Json.FACTORY.createParser(json)) {
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        switch (token) {
          case VALUE_STRING -> parser.getText();
          case VALUE_NUMBER_INT -> parser.getNumberValue();
          case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
          default -> {
            // structure, names (checked as they are read), literals
          }
        }
      }
    } catch (JsonProcessingException e) {
      throw e;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads the members of an object whose START_OBJECT was just read. */
  private static Map<String, Object> readObject(JsonParser parser) throws IOException {
    Map<String, Object> map = new LinkedHashMap<>();
    for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
      map.put(name, readValue(parser, parser.nextToken()));
    }
    return map;
  }

  private static @Nullable Object readValue(JsonParser parser, @Nullable JsonToken token)
      throws IOException {
    if (token == null) {
      throw new JsonParseException(parser, "unexpected end-of-input");
    }
    return switch (token) {
      case START_OBJECT -> readObject(parser);
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
          list.add(readValue(parser, t));
        }
        yield list;
      }
      case VALUE_STRING -> parser.getText();
      // Integer, Long or BigInteger, the smallest that holds the value
      case VALUE_NUMBER_INT -> parser.getNumberValue();
      case VALUE_NUMBER_FLOAT -> parser.getDoubleValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      default -> throw new JsonParseException(parser, "unexpected token " + token);
    };
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
