package dev.diskstore.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.diskstore.ArtifactField;
import dev.diskstore.InvalidQueryException;
import dev.diskstore.Query;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * A {@link Query} from its JSON form (the {@code POST .../artifact/query} extension):
 *
 * <ul>
 *   <li>{@code {"and": [q, ...]}}, {@code {"or": [q, ...]}}, {@code {"not": q}}
 *   <li>{@code {"path_prefix": "/reports/"}}
 *   <li>{@code {"key": "author" | ["review", "state"], "op": "eq", "value": "alice"}}; {@code op}
 *       is one of {@code eq ne lt le gt ge in exists not_exists is_null}; {@code in} takes {@code
 *       "values": [...]}, the last three no value
 *   <li>{@code {"field": "size_bytes", "op": "gt", "value": 1000}}: a system field ({@link
 *       ArtifactField}, lower case); timestamps as RFC 3339 strings
 * </ul>
 *
 * Every error is an {@link InvalidQueryException} naming the bad part. Stateless.
 */
final class QueryJson {
  private QueryJson() {}

  static Query parse(JsonNode node) {
    if (node == null || !node.isObject()) {
      throw new InvalidQueryException("a query is a JSON object");
    }
    if (node.has("and") || node.has("or")) {
      boolean and = node.has("and");
      JsonNode ops = node.get(and ? "and" : "or");
      if (!ops.isArray()) {
        throw new InvalidQueryException((and ? "and" : "or") + " takes an array of queries");
      }
      List<Query> operands = new ArrayList<>();
      ops.forEach(o -> operands.add(parse(o)));
      Query[] array = operands.toArray(new Query[0]);
      return and ? Query.allOf(array) : Query.anyOf(array);
    }
    if (node.has("not")) {
      return Query.not(parse(node.get("not")));
    }
    if (node.has("path_prefix")) {
      return Query.pathPrefix(node.get("path_prefix").asText());
    }
    Query.Operator op = operator(node);
    if (node.has("key")) {
      JsonNode k = node.get("key");
      List<String> key = new ArrayList<>();
      if (k.isArray()) {
        k.forEach(e -> key.add(e.asText()));
      } else {
        key.add(k.asText());
      }
      return new Query.KeyCondition(key, op, values(node, op, null));
    }
    if (node.has("field")) {
      ArtifactField field;
      try {
        field = ArtifactField.valueOf(node.get("field").asText().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new InvalidQueryException("unknown field " + node.get("field"));
      }
      return new Query.FieldCondition(field, op, values(node, op, field));
    }
    throw new InvalidQueryException(
        "a query needs one of and, or, not, path_prefix, key or field: " + node);
  }

  private static Query.Operator operator(JsonNode node) {
    JsonNode op = node.get("op");
    if (op == null) {
      throw new InvalidQueryException("a condition needs an op: " + node);
    }
    try {
      return Query.Operator.valueOf(op.asText().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidQueryException("unknown op " + op);
    }
  }

  private static List<Object> values(
      JsonNode node, Query.Operator op, @Nullable ArtifactField field) {
    List<Object> values = new ArrayList<>();
    if (op == Query.Operator.IN) {
      JsonNode vs = node.get("values");
      if (vs == null || !vs.isArray()) {
        throw new InvalidQueryException("in takes \"values\": [...]");
      }
      vs.forEach(v -> values.add(scalar(v, field)));
    } else if (node.has("value")) {
      values.add(scalar(node.get("value"), field));
    }
    return values;
  }

  private static Object scalar(JsonNode v, @Nullable ArtifactField field) {
    if (field != null && field.valueType() == Instant.class && v.isTextual()) {
      try {
        return Instant.parse(v.asText());
      } catch (DateTimeParseException e) {
        throw new InvalidQueryException(
            field.name().toLowerCase(Locale.ROOT) + " takes an RFC 3339 timestamp, not " + v);
      }
    }
    if (v.isTextual()) {
      return v.asText();
    }
    if (v.isBoolean()) {
      return v.asBoolean();
    }
    if (v.isIntegralNumber() && v.canConvertToLong()) {
      return v.asLong();
    }
    if (v.isNumber()) {
      return v.asDouble();
    }
    throw new InvalidQueryException("a value must be a string, a number or a boolean, not " + v);
  }
}
