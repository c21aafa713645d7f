package dev.diskstore;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Deep, immutable copies of JSON-shaped Java values (maps, lists, strings, numbers, booleans, nulls). */
final class JsonValues {
  private JsonValues() {}

  static Map<String, Object> immutableObject(Map<String, ?> map) {
    Map<String, Object> copy = new LinkedHashMap<>();
    for (Map.Entry<String, ?> e : map.entrySet()) {
      if (e.getKey() == null) {
        throw new InvalidMetadataException("metadata keys must not be null");
      }
      copy.put(e.getKey(), immutableValue(e.getValue()));
    }
    return Collections.unmodifiableMap(copy);
  }

  @SuppressWarnings("unchecked")
  static Object immutableValue(Object value) {
    if (value == null
        || value instanceof String
        || value instanceof Boolean
        || value instanceof Integer
        || value instanceof Long
        || value instanceof Short
        || value instanceof Byte
        || value instanceof Double
        || value instanceof Float
        || value instanceof BigInteger
        || value instanceof BigDecimal) {
      return value;
    }
    if (value instanceof Map<?, ?> m) {
      for (Object k : m.keySet()) {
        if (!(k instanceof String)) {
          throw new InvalidMetadataException("metadata object keys must be strings, got " + k);
        }
      }
      return immutableObject((Map<String, ?>) m);
    }
    if (value instanceof List<?> list) {
      List<Object> copy = new ArrayList<>(list.size());
      for (Object o : list) {
        copy.add(immutableValue(o));
      }
      return Collections.unmodifiableList(copy);
    }
    throw new InvalidMetadataException(
        "metadata values must be JSON values (map, list, string, number, boolean, null), got "
            + value.getClass().getName());
  }
}
