package dev.diskstore.postgres;

import dev.diskstore.ArtifactField;
import dev.diskstore.InvalidCursorException;
import dev.diskstore.Query;
import dev.diskstore.QuerySort;
import dev.diskstore.spi.index.ArtifactRow;
import dev.diskstore.spi.index.CompiledQuery;
import dev.diskstore.spi.index.QueryPage;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * The PostgreSQL compiler of metadata queries: a {@link Query} and a {@link QuerySort} of one
 * disk become one SQL statement on {@code artifacts.meta} ({@code jsonb}), run a page at a time
 * by {@link #run}. The semantics are the SQLite index's, term for term.
 *
 * <p><b>Key addresses.</b> A key address becomes a strict SQL/JSON path of quoted labels ({@code
 * strict $."a.b"."c\"d"}), bound as a parameter of {@code jsonb_path_query_first(meta, path,
 * '{}', true)}: every label is an object member name taken literally; in strict mode a label
 * applied to an array or scalar finds nothing (the silent flag turns the error into NULL), exactly
 * like SQLite's {@code $."label"} on a non-object. ({@code meta #> '{a,0}'} would index arrays,
 * and lax paths would unwrap them.) Values are compared only after their JSON type is checked:
 * strings in byte order ({@code COLLATE "C"}, SQLite's {@code BINARY}), numbers as {@code
 * numeric}, booleans by equality. Every condition is two-valued (never NULL, through {@code
 * coalesce}), so {@code NOT} is plain complement. An equality on a key also adds {@code meta @>
 * '{"a": {"b": value}}'}, implied by the exact test, which lets the GIN index on {@code meta}
 * narrow the rows.
 *
 * <p><b>Pagination.</b> Keyset on the sort terms plus {@code a.id}, all in one direction, as one
 * row comparison. A metadata sort key becomes three terms that are never NULL: its type group
 * (numbers, strings, booleans, null, arrays, objects, then missing; missing first when
 * descending), its numeric value (0 for non-numbers) and its text (strings; {@code false}/{@code
 * true} for booleans; the JSON text of arrays and objects, which PostgreSQL normalises
 * differently from SQLite, so arrays and objects may order differently between the two indexes).
 * Cursor values are tagged: {@code i} bigint, {@code n} numeric, {@code t} text.
 *
 * <p>Thread-safe (stateless).
 */
final class PgQueries {
  private PgQueries() {}

  /** What a sort term's values are. */
  enum Kind {
    BIGINT("bigint"),
    NUMERIC("numeric"),
    TEXT("text");

    final String sqlType;

    Kind(String sqlType) {
      this.sqlType = sqlType;
    }
  }

  /** One term of the total order: an SQL expression with its parameters. */
  record Term(String sql, List<Object> params, Kind kind) {}

  /** A compiled query of one disk. */
  record Compiled(String diskId, Sql filter, List<Term> terms, boolean descending, String scope)
      implements CompiledQuery {
    @Override
    public int keyLength() {
      return terms.size();
    }
  }

  static Compiled compile(String diskId, Query query, QuerySort sort) {
    Sql filter = new Sql();
    filter(query, filter);
    List<Term> terms = terms(sort);
    StringBuilder scope = new StringBuilder("pg-query\0").append(diskId).append('\0');
    filter.describe(scope);
    scope.append('\0').append(sort.descending() ? "DESC" : "ASC");
    for (Term t : terms) {
      scope.append('\0').append(t.sql());
      Sql.describe(t.params(), scope);
    }
    return new Compiled(diskId, filter, terms, sort.descending(), scope.toString());
  }

  /** Runs one page: at most {@code limit} rows after {@code after}, and whether more follow. */
  static QueryPage run(Connection c, Compiled q, @Nullable List<String> after, int limit)
      throws SQLException {
    if (after != null && after.size() != q.terms().size()) {
      throw new InvalidCursorException("malformed cursor: wrong number of sort values");
    }
    Sql sql = new Sql();
    sql.append("SELECT ").append(PgArtifacts.ROW_COLUMNS);
    for (int i = 0; i < q.terms().size(); i++) {
      Term t = q.terms().get(i);
      sql.append(", ").append(t.sql(), t.params()).append(" AS k" + i);
    }
    sql.append(PgArtifacts.FROM).append(" WHERE a.disk_id = ?").param(q.diskId());
    sql.append(" AND ").append(q.filter());
    if (after != null) {
      sql.append(" AND (");
      for (int i = 0; i < q.terms().size(); i++) {
        Term t = q.terms().get(i);
        sql.append(i == 0 ? "" : ", ").append(t.sql(), t.params());
      }
      sql.append(q.descending() ? ") < (" : ") > (");
      for (int i = 0; i < q.terms().size(); i++) {
        Kind kind = q.terms().get(i).kind();
        sql.append((i == 0 ? "" : ", ") + "?::" + kind.sqlType)
            .param(cursorValue(kind, after.get(i)));
      }
      sql.append(")");
    }
    sql.append(" ORDER BY ");
    for (int i = 0; i < q.terms().size(); i++) {
      sql.append((i == 0 ? "" : ", ") + "k" + i + (q.descending() ? " DESC" : " ASC"));
    }
    sql.append(" LIMIT ?").param((long) limit + 1);

    List<ArtifactRow> rows = new ArrayList<>();
    List<String> lastKey = null;
    try (PreparedStatement s = c.prepareStatement(sql.text())) {
      sql.bind(s);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          if (rows.size() == limit) {
            return new QueryPage(rows, lastKey);
          }
          rows.add(PgArtifacts.row(rs));
          lastKey = readKey(rs, q.terms());
        }
      }
    }
    return new QueryPage(rows, null);
  }

  // ------------------------------------------------------------------ sort terms


  private static List<String> readKey(ResultSet rs, List<Term> terms) throws SQLException {
    List<String> key = new ArrayList<>(terms.size());
    int first = 14; // after the 13 row columns of PgArtifacts.ROW_COLUMNS
    for (int i = 0; i < terms.size(); i++) {
      switch (terms.get(i).kind()) {
        case BIGINT -> key.add("i" + rs.getLong(first + i));
        case NUMERIC -> key.add("n" + rs.getBigDecimal(first + i).toString());
        case TEXT -> key.add("t" + rs.getString(first + i));
      }
    }
    return key;
  }

  private static Object cursorValue(Kind kind, String field) {
    if (!field.isEmpty()) {
      char tag = field.charAt(0);
      String rest = field.substring(1);
      try {
        if (tag == 'i' && kind == Kind.BIGINT) {
          return Long.parseLong(rest);
        }
        if (tag == 'n' && kind == Kind.NUMERIC) {
          return new BigDecimal(rest);
        }
        if (tag == 't' && kind == Kind.TEXT) {
          return rest;
        }
      } catch (NumberFormatException e) {
        // falls through to the error
      }
    }
    throw new InvalidCursorException("malformed cursor: bad sort value");
  }

  private static List<Term> terms(QuerySort sort) {
    List<Term> terms = new ArrayList<>();
    if (sort.field().isPresent()) {
      ArtifactField field = sort.field().get();
      terms.add(new Term(column(field), List.of(),
          field.valueType() == String.class ? Kind.TEXT : Kind.BIGINT));
      if (field == ArtifactField.PATH) {
        terms.add(new Term("a.filename", List.of(), Kind.TEXT));
      }
    } else {
      String path = jsonPath(sort.key());
      terms.add(new Term(
          "CASE jsonb_typeof(" + VALUE + ") WHEN 'number' THEN 1 WHEN 'string' THEN 2"
              + " WHEN 'boolean' THEN 3 WHEN 'null' THEN 4 WHEN 'array' THEN 5"
              + " WHEN 'object' THEN 6 ELSE " + (sort.descending() ? 0 : 7) + " END",
          List.of(path), Kind.BIGINT));
      terms.add(new Term(
          "coalesce(CASE WHEN jsonb_typeof(" + VALUE + ") = 'number' THEN (" + VALUE
              + " #>> '{}')::numeric END, 0)",
          List.of(path, path), Kind.NUMERIC));
      terms.add(new Term(
          "(CASE jsonb_typeof(" + VALUE + ") WHEN 'number' THEN '' WHEN 'string' THEN " + VALUE
              + " #>> '{}' WHEN 'null' THEN '' ELSE coalesce(" + VALUE + "::text, '') END)"
              + " COLLATE \"C\"",
          List.of(path, path, path), Kind.TEXT));
    }
    terms.add(new Term("a.id", List.of(), Kind.BIGINT));
    return terms;
  }

  private static String column(ArtifactField field) {
    return switch (field) {
      case SIZE_BYTES -> "a.size";
      case CONTENT_TYPE -> "a.content_type";
      case CREATED_AT -> "a.created_at";
      case UPDATED_AT -> "a.updated_at";
      case LAST_MODIFIED -> "a.content_modified_at";
      case PATH -> "a.path";
      case FILENAME -> "a.filename";
      case SHA256 -> "a.sha256";
    };
  }

  // ------------------------------------------------------------------ filter

  /** The value at a key address (one path parameter), or NULL. */
  private static final String VALUE = "jsonb_path_query_first(a.meta, ?::jsonpath, '{}', true)";

  /** Appends {@code query} as a condition that is true or false, never NULL. */
  private static void filter(Query query, Sql out) {
    if (query instanceof Query.All) {
      out.append("true");
    } else if (query instanceof Query.And and) {
      junction(and.operands(), " AND ", "true", out);
    } else if (query instanceof Query.Or or) {
      junction(or.operands(), " OR ", "false", out);
    } else if (query instanceof Query.Not not) {
      out.append("NOT (");
      filter(not.operand(), out);
      out.append(")");
    } else if (query instanceof Query.PathPrefix prefix) {
      String dir = prefix.directory();
      // [dir, dir without its trailing '/' + '0'): exactly the paths starting with dir
      out.append("(a.path >= ? AND a.path < ?)")
          .param(dir)
          .param(dir.substring(0, dir.length() - 1) + "0");
    } else if (query instanceof Query.FieldCondition field) {
      fieldCondition(field, out);
    } else if (query instanceof Query.KeyCondition key) {
      keyCondition(key, out);
    } else {
      throw new IllegalStateException("unknown query node " + query.getClass());
    }
  }

  private static void junction(List<Query> operands, String op, String empty, Sql out) {
    if (operands.isEmpty()) {
      out.append(empty);
      return;
    }
    out.append("(");
    for (int i = 0; i < operands.size(); i++) {
      if (i > 0) {
        out.append(op);
      }
      filter(operands.get(i), out);
    }
    out.append(")");
  }

  private static void fieldCondition(Query.FieldCondition c, Sql out) {
    String column = column(c.field());
    String type = c.field().valueType() == String.class ? "text" : "bigint";
    if (c.operator() == Query.Operator.IN) {
      if (c.values().isEmpty()) {
        out.append("false");
        return;
      }
      out.append(column).append(" IN (");
      for (int i = 0; i < c.values().size(); i++) {
        out.append((i == 0 ? "?::" : ", ?::") + type).param(fieldValue(c.values().get(i)));
      }
      out.append(")");
      return;
    }
    out.append(column + " " + c.operator().symbol() + " ?::" + type)
        .param(fieldValue(c.values().get(0)));
  }

  private static Object fieldValue(Object value) {
    return value instanceof Instant instant
        ? ChronoUnit.MICROS.between(Instant.EPOCH, instant)
        : value;
  }

  private static void keyCondition(Query.KeyCondition c, Sql out) {
    String path = jsonPath(c.key());
    switch (c.operator()) {
      case EXISTS -> out.append("(" + VALUE + " IS NOT NULL)").param(path);
      case NOT_EXISTS -> out.append("(" + VALUE + " IS NULL)").param(path);
      case IS_NULL -> out.append("coalesce(jsonb_typeof(" + VALUE + ") = 'null', false)")
          .param(path);
      case NE -> {
        out.append("NOT ");
        compare(c.key(), path, "=", c.values().get(0), out);
      }
      case IN -> in(path, c.values(), out);
      default -> compare(c.key(), path, c.operator().symbol(), c.values().get(0), out);
    }
  }

  /** The value at {@code path} has the JSON type of {@code value} and compares {@code op} to it. */
  private static void compare(List<String> key, String path, String op, Object value, Sql out) {
    out.append("(");
    if (op.equals("=")) {
      // implied by the exact test below; lets the GIN index on meta find the candidates
      out.append("a.meta @> ?::jsonb AND ").param(containment(key, value));
    }
    if (value instanceof Boolean b) {
      out.append("coalesce(" + VALUE + " = '" + b + "'::jsonb, false))").param(path);
      return;
    }
    if (value instanceof String) {
      out.append("coalesce(jsonb_typeof(" + VALUE + ") = 'string' AND (" + VALUE
          + " #>> '{}') COLLATE \"C\" " + op + " ?::text, false))")
          .param(path).param(path).param(value);
    } else {
      out.append("coalesce(jsonb_typeof(" + VALUE + ") = 'number' AND (" + VALUE
          + " #>> '{}')::numeric " + op + " ?::numeric, false))")
          .param(path).param(path).param(number(value));
    }
  }

  private static void in(String path, List<Object> values, Sql out) {
    List<Object> texts = new ArrayList<>();
    List<Object> numbers = new ArrayList<>();
    boolean anyTrue = false;
    boolean anyFalse = false;
    for (Object v : values) {
      if (v instanceof String) {
        texts.add(v);
      } else if (v instanceof Boolean b) {
        anyTrue |= b;
        anyFalse |= !b;
      } else {
        numbers.add(number(v));
      }
    }
    List<String> parts = new ArrayList<>();
    List<List<Object>> partParams = new ArrayList<>();
    if (!texts.isEmpty()) {
      List<Object> params = new ArrayList<>(List.of(path, path));
      params.addAll(texts);
      parts.add("coalesce(jsonb_typeof(" + VALUE + ") = 'string' AND (" + VALUE
          + " #>> '{}') COLLATE \"C\" IN (" + placeholders(texts.size(), "text") + "), false)");
      partParams.add(params);
    }
    if (!numbers.isEmpty()) {
      List<Object> params = new ArrayList<>(List.of(path, path));
      params.addAll(numbers);
      parts.add("coalesce(jsonb_typeof(" + VALUE + ") = 'number' AND (" + VALUE
          + " #>> '{}')::numeric IN (" + placeholders(numbers.size(), "numeric") + "), false)");
      partParams.add(params);
    }
    if (anyTrue) {
      parts.add("coalesce(" + VALUE + " = 'true'::jsonb, false)");
      partParams.add(List.of(path));
    }
    if (anyFalse) {
      parts.add("coalesce(" + VALUE + " = 'false'::jsonb, false)");
      partParams.add(List.of(path));
    }
    if (parts.isEmpty()) {
      out.append("false");
      return;
    }
    out.append("(");
    for (int i = 0; i < parts.size(); i++) {
      out.append(i == 0 ? "" : " OR ").append(parts.get(i), partParams.get(i));
    }
    out.append(")");
  }

  private static String placeholders(int n, String type) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) {
      s.append(i == 0 ? "?::" : ", ?::").append(type);
    }
    return s.toString();
  }

  private static BigDecimal number(Object value) {
    if (value instanceof BigDecimal d) {
      return d;
    }
    if (value instanceof Long || value instanceof Integer || value instanceof Short
        || value instanceof Byte) {
      return BigDecimal.valueOf(((Number) value).longValue());
    }
    if (value instanceof Double || value instanceof Float) {
      // the shortest decimal that reads back as the double, as JSON writes it
      return new BigDecimal(Double.toString(((Number) value).doubleValue()));
    }
    return new BigDecimal(value.toString());
  }

  /** {@code {"k1": {"k2": value}}}: contained in the metadata of every row where key = value. */
  private static String containment(List<String> key, Object value) {
    StringBuilder json = new StringBuilder();
    for (String k : key) {
      json.append('{');
      jsonString(k, json);
      json.append(':');
    }
    if (value instanceof String s) {
      jsonString(s, json);
    } else if (value instanceof Boolean b) {
      json.append(b);
    } else {
      json.append(number(value).toString());
    }
    json.append("}".repeat(key.size()));
    return json.toString();
  }

  private static void jsonString(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      if (ch == '"' || ch == '\\') {
        out.append('\\').append(ch);
      } else if (ch < 0x20) {
        out.append(String.format(Locale.ROOT, "\\u%04x", (int) ch));
      } else {
        out.append(ch);
      }
    }
    out.append('"');
  }

  /**
   * The strict SQL/JSON path of a key address: each key a quoted member name ({@code "} and
   * {@code \} escaped, control characters as {@code \}{@code uXXXX}), so any key is literal.
   */
  static String jsonPath(List<String> key) {
    StringBuilder path = new StringBuilder("strict $");
    for (String k : key) {
      path.append('.');
      jsonString(k, path);
    }
    return path.toString();
  }

  // ------------------------------------------------------------------ SQL text with parameters

  /** SQL text and its parameters (String, Long, BigDecimal), built together. */
  static final class Sql {
    private final StringBuilder text = new StringBuilder();
    private final List<Object> params = new ArrayList<>();

    Sql append(String sql) {
      text.append(sql);
      return this;
    }

    Sql append(String sql, List<Object> sqlParams) {
      text.append(sql);
      params.addAll(sqlParams);
      return this;
    }

    Sql append(Sql other) {
      text.append(other.text);
      params.addAll(other.params);
      return this;
    }

    Sql param(Object value) {
      params.add(value);
      return this;
    }

    String text() {
      return text.toString();
    }

    void bind(PreparedStatement s) throws SQLException {
      int i = 1;
      for (Object p : params) {
        if (p instanceof String t) {
          s.setString(i++, t);
        } else if (p instanceof Long n) {
          s.setLong(i++, n);
        } else if (p instanceof BigDecimal d) {
          s.setBigDecimal(i++, d);
        } else {
          throw new IllegalStateException("unexpected parameter " + p.getClass());
        }
      }
    }

    /** An unambiguous description of the text and parameters, for cursor scopes. */
    void describe(StringBuilder into) {
      into.append(text);
      describe(params, into);
    }

    static void describe(List<Object> params, StringBuilder into) {
      for (Object p : params) {
        String s = String.valueOf(p);
        into.append('\0').append(p.getClass().getSimpleName().charAt(0)).append(s.length())
            .append(':').append(s);
      }
    }
  }
}
