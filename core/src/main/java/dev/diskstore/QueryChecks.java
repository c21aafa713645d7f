package dev.diskstore;

import dev.diskstore.Query.Operator;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.StringJoiner;

/** Validation and formatting shared by the {@link Query} records. Stateless. */
final class QueryChecks {
  private QueryChecks() {}

  static void checkSize(List<Query> operands) {
    int conditions = 0;
    int depth = 0;
    for (Query q : operands) {
      Objects.requireNonNull(q, "operand");
      conditions += q.conditionCount();
      depth = Math.max(depth, q.depth());
    }
    if (conditions > Query.MAX_CONDITIONS) {
      throw new InvalidQueryException(
          "a query has at most " + Query.MAX_CONDITIONS + " conditions, this one has " + conditions);
    }
    if (depth + 1 > Query.MAX_DEPTH) {
      throw new InvalidQueryException(
          "a query nests and/or/not at most " + Query.MAX_DEPTH + " levels deep");
    }
  }

  static int conditions(List<Query> operands) {
    int n = 0;
    for (Query q : operands) {
      n += q.conditionCount();
    }
    return n;
  }

  static int maxDepth(List<Query> operands) {
    int d = 0;
    for (Query q : operands) {
      d = Math.max(d, q.depth());
    }
    return d;
  }

  static List<Object> checkArity(Operator op, List<Object> values, String where) {
    if (values == null) {
      throw new InvalidQueryException(where + ": values must not be null");
    }
    int n = values.size();
    boolean ok =
        switch (op) {
          case EXISTS, NOT_EXISTS, IS_NULL -> n == 0;
          case IN -> n <= Query.MAX_IN_VALUES;
          default -> n == 1;
        };
    if (!ok) {
      throw new InvalidQueryException(
          where + ": " + op + (op == Operator.IN
              ? " takes at most " + Query.MAX_IN_VALUES + " values, got " + n
              : " takes " + (n == 0 ? "one value" : "no value") + ", got " + n));
    }
    for (Object v : values) {
      if (v == null) {
        throw new InvalidQueryException(
            where + ": values must not be null; use isNull() for JSON null or notExists() for a"
                + " missing key");
      }
    }
    return new ArrayList<>(values);
  }

  static String join(List<Query> operands, String separator, String empty) {
    if (operands.isEmpty()) {
      return empty;
    }
    StringJoiner j = new StringJoiner(separator, "(", ")");
    for (Query q : operands) {
      j.add(q.toString());
    }
    return j.toString();
  }

  static String keyText(List<String> key) {
    StringJoiner j = new StringJoiner(", ");
    for (String k : key) {
      j.add(quote(k));
    }
    return j.toString();
  }

  static String valuesText(Operator op, List<Object> values) {
    if (op == Operator.IN) {
      StringJoiner j = new StringJoiner(", ", " (", ")");
      for (Object v : values) {
        j.add(valueText(v));
      }
      return j.toString();
    }
    return values.isEmpty() ? "" : " " + valueText(values.get(0));
  }

  private static String valueText(Object v) {
    return v instanceof String s ? quote(s) : String.valueOf(v);
  }

  static String quote(String s) {
    StringBuilder out = new StringBuilder("\"");
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        out.append('\\').append(c);
      } else if (c < 0x20 || c == 0x7f) {
        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.append('"').toString();
  }
}
