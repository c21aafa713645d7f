package dev.diskstore.testkit;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Collection;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes JSON-shaped Java values as compact JSON with object keys sorted, so that two maps with the
 * same content give the same string whatever their map class or number types (an {@code Integer}
 * 5 and a {@code Long} 5 both give {@code 5}). Used to log expected metadata and compare it with
 * what the store returns.
 */
public final class CanonicalJson {
  private CanonicalJson() {}

  public static String write(Object value) {
    StringBuilder out = new StringBuilder();
    append(out, value);
    return out.toString();
  }

  private static void append(StringBuilder out, Object value) {
    if (value == null) {
      out.append("null");
    } else if (value instanceof String s) {
      appendString(out, s);
    } else if (value instanceof Boolean) {
      out.append(value);
    } else if (value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte
        || value instanceof BigInteger) {
      out.append(value);
    } else if (value instanceof Number n) {
      BigDecimal decimal = new BigDecimal(n.toString()).stripTrailingZeros();
      out.append(decimal.scale() <= 0 ? decimal.toBigInteger().toString() : decimal.toPlainString());
    } else if (value instanceof Map<?, ?> map) {
      Map<String, Object> sorted = new TreeMap<>();
      map.forEach((k, v) -> sorted.put((String) k, v));
      out.append('{');
      boolean first = true;
      for (Map.Entry<String, Object> e : sorted.entrySet()) {
        if (!first) {
          out.append(',');
        }
        first = false;
        appendString(out, e.getKey());
        out.append(':');
        append(out, e.getValue());
      }
      out.append('}');
    } else if (value instanceof Collection<?> list) {
      out.append('[');
      boolean first = true;
      for (Object element : list) {
        if (!first) {
          out.append(',');
        }
        first = false;
        append(out, element);
      }
      out.append(']');
    } else {
      throw new IllegalArgumentException("not a JSON value: " + value.getClass().getName());
    }
  }

  private static void appendString(StringBuilder out, String s) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
