package dev.diskstore;

import dev.diskstore.internal.PathRules;
import java.text.Normalizer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * A metadata query: an immutable boolean expression over the artifacts of a disk, evaluated by
 * {@link Search#query} inside SQLite (never by loading artifacts into memory).
 *
 * <pre>{@code
 * Query q = Query.where("author").eq("alice")
 *     .and(Query.field(ArtifactField.SIZE_BYTES).gt(1_000))
 *     .and(Query.pathPrefix("/reports/2024"))
 *     .and(Query.not(Query.where("review", "state").eq("draft")));
 * }</pre>
 *
 * <h2>Addressing user metadata</h2>
 *
 * {@link #where(String, String...)} names a key of the user metadata ({@link Artifact#userMeta()})
 * and, optionally, keys inside nested objects: {@code where("review", "state")} is the value of
 * {@code "state"} in the object under {@code "review"}. Every key is taken literally: dots,
 * brackets, quotes, {@code $} and any Unicode are just characters of the key ({@code "a.b"} is one
 * key, never a path). Keys are compared exactly (case-sensitive, no normalisation). A nested key
 * whose parent is not an object is missing. Arrays cannot be addressed into.
 *
 * <h2>Type semantics (user metadata)</h2>
 *
 * Values are matched by JSON type first, then by value; there is no conversion between types.
 * <ul>
 *   <li>A string ({@code eq("5")}) matches only JSON strings: {@code "5"}, never the number 5.
 *       Strings compare exactly (case-sensitive) and order by Unicode code point.
 *   <li>A number ({@code eq(5)}, {@code gt(2.5)}) matches only JSON numbers; integers and reals
 *       compare numerically, so {@code eq(1)} matches both {@code 1} and {@code 1.0}.
 *   <li>A boolean ({@code eq(true)}) matches only JSON {@code true}; never 1 or {@code "true"}.
 *       Booleans have no order: there are no {@code lt/gt} overloads for them.
 *   <li>{@link KeyBuilder#isNull()} matches a key present with JSON {@code null};
 *       {@link KeyBuilder#notExists()} matches a missing key; {@link KeyBuilder#exists()} matches
 *       a key present with any value, {@code null} included. Passing a Java {@code null} as a
 *       value is an {@link InvalidQueryException}.
 *   <li>Arrays and objects match only {@code exists}, {@code notExists} and the negations.
 *   <li>{@code lt/le/gt/ge} match only values of the argument's type: {@code lt(10)} never
 *       matches a string, {@code null} or a missing key.
 * </ul>
 *
 * <h2>Overloads</h2>
 *
 * For metadata keys ({@link KeyBuilder}): {@code eq/ne} take a {@code String}, {@code long},
 * {@code double} or {@code boolean}; {@code lt/le/gt/ge} a {@code String}, {@code long} or
 * {@code double}; {@code in} a {@code String...}, {@code long...}, {@code double...} or a
 * {@code Collection} mixing strings, numbers and booleans. There is no {@code Instant} overload:
 * metadata holds JSON, and a timestamp kept as text compares as text. For system fields
 * ({@link FieldBuilder}): {@code String}, {@code long} or {@code Instant} overloads, of which
 * only the field's {@link ArtifactField#valueType()} is accepted.
 *
 * <h2>Negation is two-valued</h2>
 *
 * {@link #not(Query)} matches exactly the artifacts its operand does not match; there is no SQL
 * "unknown". Hence {@code ne(v)} is {@code not(eq(v))}: it matches artifacts where the key is
 * missing, holds another type, or holds a different value. Likewise {@code not(lt(10))} also
 * matches artifacts without the key, unlike {@code ge(10)}. To require the key, combine:
 * {@code where("k").exists().and(where("k").ne("x"))}.
 *
 * <h2>System fields</h2>
 *
 * {@link #field(ArtifactField)} compares a system field; each field takes one type
 * ({@link ArtifactField#valueType()}), and an argument of another type is an
 * {@link InvalidQueryException}. Timestamps are stored with microsecond precision; an
 * {@link Instant} argument is truncated to microseconds before comparing. {@link #pathPrefix}
 * matches the artifacts at or below a directory (a range on the path index; {@code %}, {@code _}
 * and other characters are literal).
 *
 * <h2>Limits</h2>
 *
 * A query holds at most {@value #MAX_CONDITIONS} conditions (leaves), nests {@code and/or/not} at
 * most {@value #MAX_DEPTH} deep, addresses keys at most {@value #MAX_KEY_DEPTH} levels deep and
 * lists at most {@value #MAX_IN_VALUES} values in one {@code in}; building a larger query throws
 * {@link InvalidQueryException}. Chained {@code and} (and {@code or}) flatten, so
 * {@code a.and(b).and(c)} is one level.
 *
 * <p>The records implementing this interface are the expression tree; they are public so that
 * queries can be inspected, and their constructors validate like the builder methods. Immutable
 * and thread-safe.
 */
public sealed interface Query
    permits Query.All,
        Query.And,
        Query.Or,
        Query.Not,
        Query.KeyCondition,
        Query.FieldCondition,
        Query.PathPrefix {

  /** Most conditions (leaves) in one query. */
  int MAX_CONDITIONS = 100;

  /** Deepest nesting of {@code and}, {@code or} and {@code not}. */
  int MAX_DEPTH = 32;

  /** Most values in one {@code in}. */
  int MAX_IN_VALUES = 1_000;

  /** Most keys in one {@link #where} address (top-level key plus nested keys). */
  int MAX_KEY_DEPTH = 64;

  /** How a condition compares. */
  enum Operator {
    EQ("="),
    NE("<>"),
    LT("<"),
    LE("<="),
    GT(">"),
    GE(">="),
    IN("IN"),
    EXISTS("EXISTS"),
    NOT_EXISTS("NOT EXISTS"),
    IS_NULL("IS NULL");

    private final String symbol;

    Operator(String symbol) {
      this.symbol = symbol;
    }

    /** {@code =}, {@code <>}, {@code <}, ..., as in SQL. */
    public String symbol() {
      return symbol;
    }

    /** Whether this operator orders values ({@code lt}, {@code le}, {@code gt}, {@code ge}). */
    public boolean isOrdering() {
      return this == LT || this == LE || this == GT || this == GE;
    }
  }

  // ------------------------------------------------------------------ factories

  /** Every artifact of the disk. */
  static Query all() {
    return All.INSTANCE;
  }

  /**
   * A condition on user metadata: {@code key}, or {@code nestedKeys} inside the object under it.
   * Keys are literal (see the class documentation).
   *
   * @throws InvalidQueryException for a null key, more than {@value #MAX_KEY_DEPTH} keys, or the
   *     reserved top-level key {@code __artifact_info__} (use {@link #field} for system fields)
   */
  static KeyBuilder where(String key, String... nestedKeys) {
    List<String> keys = new ArrayList<>(1 + nestedKeys.length);
    keys.add(key);
    keys.addAll(java.util.Arrays.asList(nestedKeys));
    return new KeyBuilder(KeyCondition.checkKey(keys));
  }

  /** A condition on a system field. */
  static FieldBuilder field(ArtifactField field) {
    return new FieldBuilder(Objects.requireNonNull(field, "field"));
  }

  /**
   * The artifacts at or below {@code directory}, normalised like any directory path
   * ({@code "docs"}, {@code "/docs/"} and {@code "//docs"} are the same; {@code "/"} is every
   * artifact).
   *
   * @throws InvalidPathException for a path that breaks the path rules
   */
  static Query pathPrefix(String directory) {
    return new PathPrefix(directory);
  }

  /** The artifacts {@code query} does not match. */
  static Query not(Query query) {
    Objects.requireNonNull(query, "query");
    return query instanceof Not n ? n.operand() : new Not(query);
  }

  /** The artifacts all {@code queries} match; {@link #all()} when there are none. */
  static Query allOf(Query... queries) {
    Query result = All.INSTANCE;
    for (Query q : queries) {
      result = result.and(q);
    }
    return result;
  }

  /** The artifacts any of {@code queries} matches; no artifact when there are none. */
  static Query anyOf(Query... queries) {
    if (queries.length == 0) {
      return new Or(List.of());
    }
    Query result = Objects.requireNonNull(queries[0], "query");
    for (int i = 1; i < queries.length; i++) {
      result = result.or(queries[i]);
    }
    return result;
  }

  // ------------------------------------------------------------------ combinators

  /** The artifacts this and {@code other} both match. */
  default Query and(Query other) {
    Objects.requireNonNull(other, "other");
    if (this instanceof All) {
      return other;
    }
    if (other instanceof All) {
      return this;
    }
    List<Query> operands = new ArrayList<>();
    addFlattened(operands, this, And.class);
    addFlattened(operands, other, And.class);
    return new And(operands);
  }

  /** The artifacts this or {@code other} (or both) match. */
  default Query or(Query other) {
    Objects.requireNonNull(other, "other");
    if (this instanceof All || other instanceof All) {
      return All.INSTANCE;
    }
    List<Query> operands = new ArrayList<>();
    addFlattened(operands, this, Or.class);
    addFlattened(operands, other, Or.class);
    return new Or(operands);
  }

  /** {@link #not(Query) not(this)}. */
  default Query negate() {
    return not(this);
  }

  /** The number of conditions (leaves) in this query. */
  int conditionCount();

  /** The nesting depth: 0 for a condition, one more for each {@code and/or/not} level. */
  int depth();

  private static void addFlattened(List<Query> into, Query q, Class<? extends Query> kind) {
    if (kind == And.class && q instanceof And a) {
      into.addAll(a.operands());
    } else if (kind == Or.class && q instanceof Or o) {
      into.addAll(o.operands());
    } else {
      into.add(q);
    }
  }

  // ------------------------------------------------------------------ the tree

  /** Matches every artifact. */
  record All() implements Query {
    static final All INSTANCE = new All();

    @Override
    public int conditionCount() {
      return 0;
    }

    @Override
    public int depth() {
      return 0;
    }

    @Override
    public String toString() {
      return "all()";
    }
  }

  /**
   * Matches when every operand matches (every artifact when there are none).
   *
   * @param operands the operands, in order
   */
  record And(List<Query> operands) implements Query {
    public And {
      operands = List.copyOf(operands);
      QueryChecks.checkSize(operands);
    }

    @Override
    public int conditionCount() {
      return QueryChecks.conditions(operands);
    }

    @Override
    public int depth() {
      return 1 + QueryChecks.maxDepth(operands);
    }

    @Override
    public String toString() {
      return QueryChecks.join(operands, " AND ", "all()");
    }
  }

  /**
   * Matches when at least one operand matches (no artifact when there are none).
   *
   * @param operands the operands, in order
   */
  record Or(List<Query> operands) implements Query {
    public Or {
      operands = List.copyOf(operands);
      QueryChecks.checkSize(operands);
    }

    @Override
    public int conditionCount() {
      return QueryChecks.conditions(operands);
    }

    @Override
    public int depth() {
      return 1 + QueryChecks.maxDepth(operands);
    }

    @Override
    public String toString() {
      return QueryChecks.join(operands, " OR ", "none()");
    }
  }

  /**
   * Matches exactly when {@code operand} does not.
   *
   * @param operand the negated query
   */
  record Not(Query operand) implements Query {
    public Not {
      Objects.requireNonNull(operand, "operand");
      QueryChecks.checkSize(List.of(operand));
    }

    @Override
    public int conditionCount() {
      return operand.conditionCount();
    }

    @Override
    public int depth() {
      return 1 + operand.depth();
    }

    @Override
    public String toString() {
      return "NOT " + operand;
    }
  }

  /**
   * A condition on a user metadata key.
   *
   * @param key the top-level key followed by nested keys; never parsed
   * @param operator the comparison
   * @param values the operands: none for {@code EXISTS}, {@code NOT_EXISTS} and {@code IS_NULL};
   *     one for {@code EQ} to {@code GE}; up to {@value #MAX_IN_VALUES} for {@code IN}. Each is a
   *     {@link String}, {@link Long}, {@link Double} or {@link Boolean} (other integral and
   *     floating-point boxes are converted); booleans only with {@code EQ}, {@code NE} and
   *     {@code IN}
   */
  record KeyCondition(List<String> key, Operator operator, List<Object> values) implements Query {
    public KeyCondition {
      key = checkKey(key);
      Objects.requireNonNull(operator, "operator");
      values = QueryChecks.checkArity(operator, values, "where(" + QueryChecks.keyText(key) + ")");
      List<Object> converted = new ArrayList<>(values.size());
      for (Object v : values) {
        Object c = convert(v, key);
        if (c instanceof Boolean && operator.isOrdering()) {
          throw new InvalidQueryException(
              "where(" + QueryChecks.keyText(key) + "): booleans have no order; " + operator
                  + " takes a string or a number");
        }
        converted.add(c);
      }
      values = List.copyOf(converted);
    }

    static List<String> checkKey(List<String> key) {
      if (key == null || key.isEmpty()) {
        throw new InvalidQueryException("a metadata key is required");
      }
      for (String k : key) {
        if (k == null) {
          throw new InvalidQueryException("metadata keys must not be null");
        }
      }
      if (key.size() > MAX_KEY_DEPTH) {
        throw new InvalidQueryException(
            "a metadata key address has at most " + MAX_KEY_DEPTH + " levels, this one has "
                + key.size());
      }
      if (key.get(0).equals(ArtifactInfo.KEY)) {
        throw new InvalidQueryException(
            "\"" + ArtifactInfo.KEY + "\" is not user metadata; query system fields with"
                + " Query.field(ArtifactField...)");
      }
      return List.copyOf(key);
    }

    private static Object convert(Object v, List<String> key) {
      if (v instanceof String || v instanceof Boolean || v instanceof Long) {
        return v;
      }
      if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
        return ((Number) v).longValue();
      }
      if (v instanceof Double || v instanceof Float) {
        double d = ((Number) v).doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
          throw new InvalidQueryException(
              "where(" + QueryChecks.keyText(key) + "): " + d + " is not a JSON number");
        }
        return d;
      }
      throw new InvalidQueryException(
          "where(" + QueryChecks.keyText(key) + "): a value must be a string, a number (long or double)"
              + " or a boolean, not " + (v == null ? "null" : v.getClass().getName())
              + (v == null ? "; use isNull() for JSON null or notExists() for a missing key" : ""));
    }

    @Override
    public int conditionCount() {
      return 1;
    }

    @Override
    public int depth() {
      return 0;
    }

    @Override
    public String toString() {
      return "where(" + QueryChecks.keyText(key) + ") " + operator.symbol() + QueryChecks.valuesText(operator, values);
    }
  }

  /**
   * A condition on a system field.
   *
   * @param field the field
   * @param operator {@code EQ} to {@code GE} or {@code IN} (system fields are never missing or
   *     null)
   * @param values of {@link ArtifactField#valueType()}: one for {@code EQ} to {@code GE}, up to
   *     {@value #MAX_IN_VALUES} for {@code IN}. Normalised: {@code PATH} values as directories,
   *     {@code FILENAME} to NFC, {@code SHA256} to lowercase, instants truncated to microseconds
   */
  record FieldCondition(ArtifactField field, Operator operator, List<Object> values)
      implements Query {
    public FieldCondition {
      Objects.requireNonNull(field, "field");
      Objects.requireNonNull(operator, "operator");
      if (operator == Operator.EXISTS
          || operator == Operator.NOT_EXISTS
          || operator == Operator.IS_NULL) {
        throw new InvalidQueryException(
            "field(" + field + "): system fields always exist and are never null; " + operator
                + " applies to metadata keys only");
      }
      values = QueryChecks.checkArity(operator, values, "field(" + field + ")");
      List<Object> normalised = new ArrayList<>(values.size());
      for (Object v : values) {
        normalised.add(normalise(field, v));
      }
      values = List.copyOf(normalised);
    }

    private static Object normalise(ArtifactField field, Object v) {
      Object value = v instanceof Integer || v instanceof Short || v instanceof Byte
          ? (Object) ((Number) v).longValue()
          : v;
      if (!field.valueType().isInstance(value)) {
        throw new InvalidQueryException(
            "field(" + field + ") takes a " + field.valueType().getSimpleName() + ", not "
                + (v == null ? "null" : v.getClass().getSimpleName() + " " + v));
      }
      if (field == ArtifactField.PATH) {
        return PathRules.directory((String) value);
      }
      if (field == ArtifactField.FILENAME) {
        return Normalizer.normalize((String) value, Normalizer.Form.NFC);
      }
      if (field == ArtifactField.SHA256) {
        return ((String) value).toLowerCase(Locale.ROOT);
      }
      if (value instanceof Instant i) {
        Instant instant = i.truncatedTo(ChronoUnit.MICROS);
        try {
          Math.addExact(
              Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
        } catch (ArithmeticException e) {
          throw new InvalidQueryException(
              "field(" + field + "): " + instant + " is outside the range of stored timestamps");
        }
        return instant;
      }
      return value;
    }

    @Override
    public int conditionCount() {
      return 1;
    }

    @Override
    public int depth() {
      return 0;
    }

    @Override
    public String toString() {
      return field + " " + operator.symbol() + QueryChecks.valuesText(operator, values);
    }
  }

  /**
   * The artifacts whose directory is {@code directory} or below it.
   *
   * @param directory normalised to {@code /a/b/} form
   */
  record PathPrefix(String directory) implements Query {
    public PathPrefix {
      directory = PathRules.directory(directory);
    }

    @Override
    public int conditionCount() {
      return 1;
    }

    @Override
    public int depth() {
      return 0;
    }

    @Override
    public String toString() {
      return "pathPrefix(" + QueryChecks.quote(directory) + ")";
    }
  }

  // ------------------------------------------------------------------ builders

  /**
   * Builds a condition on one user metadata key ({@link Query#where}). Each method returns a new
   * {@link Query}; the builder itself can be reused. See {@link Query} for the type semantics.
   */
  final class KeyBuilder {
    private final List<String> key;

    private KeyBuilder(List<String> key) {
      this.key = key;
    }

    private Query of(Operator op, Object... values) {
      return new KeyCondition(key, op, java.util.Arrays.asList(values));
    }

    /** The key holds the JSON string {@code value}. */
    public Query eq(String value) {
      return of(Operator.EQ, value);
    }

    /** The key holds a JSON number numerically equal to {@code value}. */
    public Query eq(long value) {
      return of(Operator.EQ, value);
    }

    /** The key holds a JSON number numerically equal to {@code value}. */
    public Query eq(double value) {
      return of(Operator.EQ, value);
    }

    /** The key holds JSON {@code true} or {@code false}. */
    public Query eq(boolean value) {
      return of(Operator.EQ, value);
    }

    /** {@code not(eq(value))}: also matches a missing key and values of other types. */
    public Query ne(String value) {
      return of(Operator.NE, value);
    }

    /** {@code not(eq(value))}: also matches a missing key and values of other types. */
    public Query ne(long value) {
      return of(Operator.NE, value);
    }

    /** {@code not(eq(value))}: also matches a missing key and values of other types. */
    public Query ne(double value) {
      return of(Operator.NE, value);
    }

    /** {@code not(eq(value))}: also matches a missing key and values of other types. */
    public Query ne(boolean value) {
      return of(Operator.NE, value);
    }

    /** A JSON string before {@code value} in code-point order. */
    public Query lt(String value) {
      return of(Operator.LT, value);
    }

    /** A JSON number less than {@code value}. */
    public Query lt(long value) {
      return of(Operator.LT, value);
    }

    /** A JSON number less than {@code value}. */
    public Query lt(double value) {
      return of(Operator.LT, value);
    }

    /** A JSON string before or equal to {@code value} in code-point order. */
    public Query le(String value) {
      return of(Operator.LE, value);
    }

    /** A JSON number less than or equal to {@code value}. */
    public Query le(long value) {
      return of(Operator.LE, value);
    }

    /** A JSON number less than or equal to {@code value}. */
    public Query le(double value) {
      return of(Operator.LE, value);
    }

    /** A JSON string after {@code value} in code-point order. */
    public Query gt(String value) {
      return of(Operator.GT, value);
    }

    /** A JSON number greater than {@code value}. */
    public Query gt(long value) {
      return of(Operator.GT, value);
    }

    /** A JSON number greater than {@code value}. */
    public Query gt(double value) {
      return of(Operator.GT, value);
    }

    /** A JSON string after or equal to {@code value} in code-point order. */
    public Query ge(String value) {
      return of(Operator.GE, value);
    }

    /** A JSON number greater than or equal to {@code value}. */
    public Query ge(long value) {
      return of(Operator.GE, value);
    }

    /** A JSON number greater than or equal to {@code value}. */
    public Query ge(double value) {
      return of(Operator.GE, value);
    }

    /** One of these JSON strings; no artifact when there are none. */
    public Query in(String... values) {
      return of(Operator.IN, (Object[]) values);
    }

    /** A JSON number equal to one of these; no artifact when there are none. */
    public Query in(long... values) {
      List<Object> boxed = new ArrayList<>(values.length);
      for (long v : values) {
        boxed.add(v);
      }
      return new KeyCondition(key, Operator.IN, boxed);
    }

    /** A JSON number equal to one of these; no artifact when there are none. */
    public Query in(double... values) {
      List<Object> boxed = new ArrayList<>(values.length);
      for (double v : values) {
        boxed.add(v);
      }
      return new KeyCondition(key, Operator.IN, boxed);
    }

    /**
     * Equal to one of {@code values}, each a string, number or boolean, matched by its own type
     * (so {@code in(List.of("5", 5))} matches the string and the number).
     */
    public Query in(Collection<?> values) {
      return new KeyCondition(key, Operator.IN, new ArrayList<>(values));
    }

    /** The key is present, with any value (JSON {@code null} included). */
    public Query exists() {
      return of(Operator.EXISTS);
    }

    /** The key is missing (a key present with JSON {@code null} is not missing). */
    public Query notExists() {
      return of(Operator.NOT_EXISTS);
    }

    /** The key is present with JSON {@code null}. */
    public Query isNull() {
      return of(Operator.IS_NULL);
    }
  }

  /**
   * Builds a condition on one system field ({@link Query#field}). Use the overloads of the field's
   * {@link ArtifactField#valueType()}; another type throws {@link InvalidQueryException}.
   */
  final class FieldBuilder {
    private final ArtifactField field;

    private FieldBuilder(ArtifactField field) {
      this.field = field;
    }

    private Query of(Operator op, Object value) {
      return new FieldCondition(field, op, java.util.Collections.singletonList(value));
    }

    public Query eq(String value) {
      return of(Operator.EQ, value);
    }

    public Query eq(long value) {
      return of(Operator.EQ, value);
    }

    public Query eq(Instant value) {
      return of(Operator.EQ, value);
    }

    public Query ne(String value) {
      return of(Operator.NE, value);
    }

    public Query ne(long value) {
      return of(Operator.NE, value);
    }

    public Query ne(Instant value) {
      return of(Operator.NE, value);
    }

    public Query lt(String value) {
      return of(Operator.LT, value);
    }

    public Query lt(long value) {
      return of(Operator.LT, value);
    }

    public Query lt(Instant value) {
      return of(Operator.LT, value);
    }

    public Query le(String value) {
      return of(Operator.LE, value);
    }

    public Query le(long value) {
      return of(Operator.LE, value);
    }

    public Query le(Instant value) {
      return of(Operator.LE, value);
    }

    public Query gt(String value) {
      return of(Operator.GT, value);
    }

    public Query gt(long value) {
      return of(Operator.GT, value);
    }

    public Query gt(Instant value) {
      return of(Operator.GT, value);
    }

    public Query ge(String value) {
      return of(Operator.GE, value);
    }

    public Query ge(long value) {
      return of(Operator.GE, value);
    }

    public Query ge(Instant value) {
      return of(Operator.GE, value);
    }

    /** One of these values; no artifact when there are none. */
    public Query in(String... values) {
      return new FieldCondition(field, Operator.IN, java.util.Arrays.asList((Object[]) values));
    }

    /** One of these values; no artifact when there are none. */
    public Query in(long... values) {
      List<Object> boxed = new ArrayList<>(values.length);
      for (long v : values) {
        boxed.add(v);
      }
      return new FieldCondition(field, Operator.IN, boxed);
    }

    /** One of these instants; no artifact when there are none. */
    public Query in(Instant... values) {
      return new FieldCondition(field, Operator.IN, java.util.Arrays.asList((Object[]) values));
    }
  }
}
