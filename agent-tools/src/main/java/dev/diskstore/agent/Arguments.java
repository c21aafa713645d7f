package dev.diskstore.agent;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.jspecify.annotations.Nullable;

/**
 * The arguments of one tool call, parsed leniently where the intent is unambiguous and strictly
 * where it is not:
 *
 * <ul>
 *   <li>missing, blank or {@code null} arguments are an empty object; a JSON string holding an
 *       object (double-encoded arguments) is unwrapped;
 *   <li>a {@code null} value is the same as an absent one;
 *   <li>unknown fields are ignored;
 *   <li>integers may come as whole numbers ({@code 10}, {@code 10.0}) or numeric strings ({@code
 *       "10"}); booleans as {@code true}/{@code false} or the strings {@code "true"}/{@code
 *       "false"}; anything else is a {@link ToolFailure} naming the argument, the expected type
 *       and what was sent.
 * </ul>
 *
 * Not thread-safe; one instance per call.
 */
final class Arguments {
  /** Thread-safe once configured; shared by all calls. */
  static final ObjectMapper MAPPER =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          .build();

  private static final Pattern INTEGER_TEXT = Pattern.compile("[+-]?\\d+");

  private final ToolSpec spec;
  private final ObjectNode node;
  private final List<String> notes = new ArrayList<>();

  private Arguments(ToolSpec spec, ObjectNode node) {
    this.spec = spec;
    this.node = node;
  }

  /**
   * @throws ToolFailure if {@code json} is not a JSON object
   */
  static Arguments parse(ToolSpec spec, @Nullable String json) {
    if (json == null || json.isBlank()) {
      return new Arguments(spec, MAPPER.createObjectNode());
    }
    JsonNode root = readJson(spec, json);
    if (root.isTextual()) {
      // Some models send the arguments object JSON-encoded a second time.
      String inner = root.textValue().strip();
      if (inner.startsWith("{")) {
        root = readJson(spec, inner);
      }
    }
    if (root.isNull() || root.isMissingNode()) {
      return new Arguments(spec, MAPPER.createObjectNode());
    }
    if (!root.isObject()) {
      throw new ToolFailure(
          "the arguments must be a JSON object, got " + describe(root) + ". Send for example "
              + spec.exampleArguments());
    }
    return new Arguments(spec, (ObjectNode) root);
  }

  private static JsonNode readJson(ToolSpec spec, String json) {
    try {
      JsonNode root = MAPPER.readTree(json);
      return root == null ? MAPPER.missingNode() : root;
    } catch (JsonProcessingException e) {
      String reason = e.getOriginalMessage();
      if (reason.length() > 200) {
        reason = reason.substring(0, 200) + "...";
      }
      JsonLocation location = e.getLocation();
      String where =
          location == null
              ? ""
              : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
      throw new ToolFailure(
          "the arguments are not valid JSON (" + reason + where + "). Send one JSON object, for"
              + " example " + spec.exampleArguments());
    }
  }

  /** Notes about adjusted values (e.g. a capped limit), to append to the result. */
  List<String> notes() {
    return notes;
  }

  /** A string argument as sent ({@code ""} included); null when absent or null. */
  @Nullable String string(String name) {
    JsonNode value = value(name);
    if (value == null) {
      return null;
    }
    if (!value.isTextual()) {
      throw new ToolFailure(name + " must be a string, got " + describe(value));
    }
    return value.textValue();
  }

  /** A string argument where {@code ""} means absent; null when absent, null or empty. */
  @Nullable String text(String name) {
    String value = string(name);
    return value == null || value.isEmpty() ? null : value;
  }

  /** A string argument that must be present (it may be empty). */
  String requiredString(String name) {
    String value = string(name);
    if (value == null) {
      throw missing(name);
    }
    return value;
  }

  /** A boolean argument, or {@code defaultValue} when absent or null. */
  boolean bool(String name, boolean defaultValue) {
    JsonNode value = value(name);
    if (value == null) {
      return defaultValue;
    }
    if (value.isBoolean()) {
      return value.booleanValue();
    }
    if (value.isTextual()) {
      String s = value.textValue().strip().toLowerCase(Locale.ROOT);
      if (s.equals("true")) {
        return true;
      }
      if (s.equals("false")) {
        return false;
      }
    }
    throw new ToolFailure(name + " must be true or false, got " + describe(value));
  }

  /** Whether the argument was sent with a non-null value. */
  boolean isPresent(String name) {
    return value(name) != null;
  }

  /**
   * An integer argument in {@code min..max}, or null when absent or null.
   *
   * @param capAtMax whether a value above {@code max} is lowered to {@code max} (with a note)
   *     instead of rejected
   */
  @Nullable Integer integer(String name, int min, int max, boolean capAtMax) {
    JsonNode value = value(name);
    if (value == null) {
      return null;
    }
    BigInteger number = wholeNumber(name, value);
    if (number.compareTo(BigInteger.valueOf(min)) < 0) {
      throw new ToolFailure(name + " must be " + range(min, max) + ", got " + number);
    }
    if (number.compareTo(BigInteger.valueOf(max)) > 0) {
      if (!capAtMax) {
        throw new ToolFailure(name + " must be " + range(min, max) + ", got " + number);
      }
      notes.add(name + " " + number + " is above the maximum; used " + max);
      return max;
    }
    return number.intValueExact();
  }

  private static String range(int min, int max) {
    return max == Integer.MAX_VALUE
        ? "an integer of at least " + min
        : "an integer from " + min + " to " + max;
  }

  private static BigInteger wholeNumber(String name, JsonNode value) {
    if (value.isIntegralNumber()) {
      return value.bigIntegerValue();
    }
    if (value.isFloatingPointNumber()) {
      BigDecimal decimal = value.decimalValue();
      if (decimal.signum() == 0 || decimal.stripTrailingZeros().scale() <= 0) {
        return decimal.toBigInteger();
      }
      throw new ToolFailure(name + " must be a whole number, got " + value.asText());
    }
    if (value.isTextual() && INTEGER_TEXT.matcher(value.textValue().strip()).matches()) {
      return new BigInteger(value.textValue().strip());
    }
    throw new ToolFailure(name + " must be an integer, got " + describe(value));
  }

  private @Nullable JsonNode value(String name) {
    JsonNode value = node.get(name);
    return value == null || value.isNull() ? null : value;
  }

  /** The failure for a required argument that was not sent. */
  ToolFailure missing(String name) {
    List<String> received = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!node.get(field).isNull()) {
        received.add(field);
      }
    }
    String expected =
        spec.params().stream()
            .map(p -> p.required() ? p.name() + " (required)" : p.name())
            .collect(Collectors.joining(", "));
    return new ToolFailure(
        "missing required argument \"" + name + "\". " + spec.name() + " takes: " + expected
            + "; received " + (received.isEmpty() ? "none" : String.join(", ", received))
            + ". Example: " + spec.exampleArguments());
  }

  /** A short description of a JSON value for error messages: its type and (part of) its value. */
  static String describe(JsonNode value) {
    if (value.isTextual()) {
      String s = value.textValue();
      String shown = s.length() > 60 ? s.substring(0, 60) + "..." : s;
      try {
        return "the string " + MAPPER.writeValueAsString(shown);
      } catch (JsonProcessingException e) {
        return "a string";
      }
    }
    if (value.isNumber()) {
      return "the number " + value.asText();
    }
    if (value.isBoolean()) {
      return value.asText();
    }
    if (value.isArray()) {
      return "an array";
    }
    if (value.isObject()) {
      return "an object";
    }
    return value.getNodeType().name().toLowerCase(Locale.ROOT);
  }
}
