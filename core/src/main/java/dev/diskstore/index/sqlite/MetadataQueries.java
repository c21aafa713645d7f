package dev.diskstore.index.sqlite;

import dev.diskstore.ArtifactField;
import dev.diskstore.InvalidCursorException;
import dev.diskstore.Query;
import dev.diskstore.QueryOptions;
import dev.diskstore.QuerySort;
import dev.diskstore.internal.Cursors;
import dev.diskstore.spi.index.CompiledQuery;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.time.temporal.ChronoUnit;
import org.jspecify.annotations.Nullable;

/**
 * The SQLite index's compiler of {@link dev.diskstore.Search#query}: compiles a {@link Query} and a
 * {@link QuerySort} to one SQL statement ({@link SqliteMetadataIndex#compile}), run by {@link
 * SqliteSession#query} fetching one page plus one row. Cursors, option checks and result assembly
 * are the core's; this class defines the cursor scope and the encoding of sort-key values.
 *
 * <p><b>SQL.</b> User values and metadata keys are always bound parameters, never SQL text. A key
 * address becomes a JSON path of quoted labels ({@code $."a.b"."c\"d"}: every key quoted, {@code "}
 * and {@code \} escaped, control characters as {@code \}{@code uXXXX}), bound as a parameter of
 * {@code json_type(user_meta, ?)} and {@code user_meta ->> ?}; SQLite decodes the escapes and
 * compares labels exactly. Every condition is two-valued (0 or 1, never NULL), so {@code NOT} is
 * plain complement: type tests use {@code IS} or {@code coalesce}, and a value is only compared
 * after its JSON type has been checked. A path prefix is the range {@code [dir, dir' + '0')} on
 * the {@code (disk_id, path, filename)} index, where {@code dir'} is the directory without its
 * trailing {@code /} ({@code '0'} follows {@code '/'}), so no character of the directory is a
 * wildcard.
 *
 * <p><b>Pagination.</b> Keyset on the sort terms plus {@code a.id}, all in one direction, as one
 * row-value comparison ({@code (t1, t2, a.id) > (?, ?, ?)}), which SQLite turns into an index
 * range for the default order. A metadata sort key becomes two terms that are never NULL: a type
 * group (numbers, strings, booleans, null, arrays, objects, missing) and the value within the group
 * (0 for null and missing). The cursor holds each term's value tagged with its SQLite type
 * ({@code i}, {@code r}, {@code t}) and is bound to a scope made of the disk, the compiled filter
 * with its parameters and the sort, so a cursor of another query is refused.
 *
 * <p>Thread-safe (stateless).
 */
final class MetadataQueries {
  /** The kind of the core's query cursors (for {@link #compile(String, Query, QueryOptions)}). */
  private static final String CURSOR_KIND = "q1";
  /** Type groups of a metadata sort key, ascending; missing keys get the last (or, descending, 0). */
  private static final String GROUP_CASE =
      "CASE json_type(a.user_meta, ?) WHEN 'integer' THEN 1 WHEN 'real' THEN 1 WHEN 'text' THEN 2"
          + " WHEN 'false' THEN 3 WHEN 'true' THEN 3 WHEN 'null' THEN 4 WHEN 'array' THEN 5"
          + " WHEN 'object' THEN 6 ELSE ";

  /** The result column of the first sort term: right after {@link SqliteSession#ROW_COLUMNS}. */
  private static final int FIRST_KEY_COLUMN = SqliteSession.ROW_COLUMNS.split(",").length + 1;

  private MetadataQueries() {}

  // ------------------------------------------------------------------ compiling

  /** SQL text and its parameters (String, Long or Double), in order. */
  record Statement(String sql, List<Object> params) {
    Statement {
      params = List.copyOf(params);
    }

    void bind(PreparedStatement s) throws SQLException {
      int i = 1;
      for (Object p : params) {
        if (p instanceof String text) {
          s.setString(i++, text);
        } else if (p instanceof Long n) {
          s.setLong(i++, n);
        } else if (p instanceof Double d) {
          s.setDouble(i++, d);
        } else {
          throw new IllegalStateException("unexpected parameter " + p.getClass());
        }
      }
    }
  }

  /** What a sort term's cursor value must be. */
  enum Kind {
    INTEGER,
    TEXT,
    ANY
  }

  /** One term of the total order: an SQL expression (with its parameters). */
  record Term(String sql, List<Object> params, Kind kind) {}

  /**
   * A compiled query: the filter, the sort terms and the cursor scope; {@link #page} makes the
   * statement of one page.
   */
  record Compiled(String diskId, Sql filter, boolean all, List<Term> terms, boolean descending,
      String scope) implements CompiledQuery {

    static Compiled of(CompiledQuery query) {
      if (query instanceof Compiled c) {
        return c;
      }
      throw new IllegalArgumentException("not a query compiled by the SQLite index: " + query);
    }

    @Override
    public int keyLength() {
      return terms.size();
    }

    /**
     * {@code SELECT <row columns>, <sort terms> ... WHERE disk AND filter AND keyset ORDER BY
     * <sort terms> LIMIT limit + 1}.
     *
     * @throws InvalidCursorException if a value of {@code after} does not fit its term
     */
    Statement page(@Nullable List<String> after, int limit) {
      Sql sql = new Sql();
      sql.append("SELECT ").append(SqliteSession.ROW_COLUMNS);
      for (int i = 0; i < terms.size(); i++) {
        sql.append(", ").append(terms.get(i).sql(), terms.get(i).params()).append(" AS k" + i);
      }
      sql.append(" FROM artifacts a JOIN blobs b ON b.sha256 = a.sha256 WHERE a.disk_id = ?")
          .param(diskId);
      if (!all) {
        sql.append(" AND ").append(filter);
      }
      if (after != null) {
        sql.append(" AND (");
        for (int i = 0; i < terms.size(); i++) {
          sql.append(i == 0 ? "" : ", ").append(terms.get(i).sql(), terms.get(i).params());
        }
        sql.append(descending ? ") < (" : ") > (");
        for (int i = 0; i < terms.size(); i++) {
          sql.append(i == 0 ? "?" : ", ?").param(cursorValue(terms.get(i).kind(), after.get(i)));
        }
        sql.append(")");
      }
      sql.append(" ORDER BY ");
      String direction = descending ? "DESC" : "ASC";
      for (int i = 0; i < terms.size(); i++) {
        sql.append(i == 0 ? "" : ", ").append("k" + i + " " + direction);
      }
      sql.append(" LIMIT ?").param((long) limit + 1);
      return sql.toStatement();
    }
  }

  /** Compiles the query of one disk (no I/O). */
  static Compiled compile(String diskId, Query query, QuerySort sort) {
    Sql filter = new Sql();
    filter(query, filter);
    List<Term> terms = terms(sort);
    String direction = sort.descending() ? "DESC" : "ASC";
    StringBuilder scope = new StringBuilder("query\0").append(diskId).append('\0');
    filter.describe(scope);
    scope.append('\0').append(direction);
    for (Term t : terms) {
      scope.append('\0').append(t.sql());
      Sql.describe(t.params(), scope);
    }
    return new Compiled(diskId, filter, query instanceof Query.All, terms, sort.descending(),
        scope.toString());
  }

  /** A page statement with the cursor scope it was checked against (for tests and tools). */
  record Paged(Statement statement, String scope) {}

  /**
   * Compiles the page the options ask for, decoding their cursor as the core does.
   *
   * @throws InvalidCursorException if the options' cursor is malformed or from another query
   */
  static Paged compile(String diskId, Query query, QueryOptions options) {
    Compiled compiled = compile(diskId, query, options.sort());
    List<String> after = null;
    if (options.cursor().isPresent()) {
      after = Cursors.decode(options.cursor().get(), CURSOR_KIND, compiled.scope(),
          compiled.keyLength());
    }
    return new Paged(compiled.page(after, options.limit()), compiled.scope());
  }

  /** The sort terms: the sort key's terms, then the artifact id. */
  private static List<Term> terms(QuerySort sort) {
    List<Term> terms = new ArrayList<>();
    if (sort.field().isPresent()) {
      ArtifactField field = sort.field().get();
      terms.add(new Term(column(field), List.of(), kind(field)));
      if (field == ArtifactField.PATH) {
        terms.add(new Term("a.filename", List.of(), Kind.TEXT));
      }
    } else {
      String path = jsonPath(sort.key());
      terms.add(
          new Term(GROUP_CASE + (sort.descending() ? 0 : 7) + " END", List.of(path), Kind.INTEGER));
      terms.add(new Term("coalesce(a.user_meta ->> ?, 0)", List.of(path), Kind.ANY));
    }
    terms.add(new Term("a.id", List.of(), Kind.INTEGER));
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

  private static Kind kind(ArtifactField field) {
    return field.valueType() == String.class ? Kind.TEXT : Kind.INTEGER;
  }

  /** Appends {@code query} as a condition that is 0 or 1, never NULL. */
  private static void filter(Query query, Sql out) {
    if (query instanceof Query.All) {
      out.append("1");
    } else if (query instanceof Query.And and) {
      junction(and.operands(), " AND ", "1", out);
    } else if (query instanceof Query.Or or) {
      junction(or.operands(), " OR ", "0", out);
    } else if (query instanceof Query.Not not) {
      out.append("NOT ");
      filter(not.operand(), out);
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
    if (c.operator() == Query.Operator.IN) {
      if (c.values().isEmpty()) {
        out.append("0");
        return;
      }
      out.append(column).append(" IN (");
      for (int i = 0; i < c.values().size(); i++) {
        out.append(i == 0 ? "?" : ", ?").param(sqlValue(c.values().get(i)));
      }
      out.append(")");
      return;
    }
    out.append(column + " " + c.operator().symbol() + " ?").param(sqlValue(c.values().get(0)));
  }

  private static Object sqlValue(Object value) {
    return value instanceof Instant instant ? ChronoUnit.MICROS.between(Instant.EPOCH, instant) : value;
  }

  private static final String IS_NUMBER = "coalesce(json_type(a.user_meta, ?), '') IN ('integer', 'real')";

  private static void keyCondition(Query.KeyCondition c, Sql out) {
    String path = jsonPath(c.key());
    switch (c.operator()) {
      case EXISTS -> out.append("json_type(a.user_meta, ?) IS NOT NULL").param(path);
      case NOT_EXISTS -> out.append("json_type(a.user_meta, ?) IS NULL").param(path);
      case IS_NULL -> out.append("json_type(a.user_meta, ?) IS 'null'").param(path);
      case NE -> {
        out.append("NOT ");
        compare(path, "=", c.values().get(0), out);
      }
      case IN -> in(path, c.values(), out);
      default -> compare(path, c.operator().symbol(), c.values().get(0), out);
    }
  }

  /** The value at {@code path} has the JSON type of {@code value} and compares {@code op} to it. */
  private static void compare(String path, String op, Object value, Sql out) {
    if (value instanceof Boolean b) {
      // only EQ (NE is NOT EQ): booleans have no order
      out.append(b ? "json_type(a.user_meta, ?) IS 'true'" : "json_type(a.user_meta, ?) IS 'false'")
          .param(path);
      return;
    }
    if (value instanceof String) {
      out.append("(json_type(a.user_meta, ?) IS 'text'").param(path);
    } else {
      out.append("(" + IS_NUMBER).param(path);
    }
    out.append(" AND (a.user_meta ->> ?) " + op + " ?)").param(path).param(value);
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
        numbers.add(v);
      }
    }
    List<Runnable> parts = new ArrayList<>();
    if (!texts.isEmpty()) {
      parts.add(() -> valueIn("(json_type(a.user_meta, ?) IS 'text'", path, texts, out));
    }
    if (!numbers.isEmpty()) {
      parts.add(() -> valueIn("(" + IS_NUMBER, path, numbers, out));
    }
    if (anyTrue) {
      parts.add(() -> out.append("json_type(a.user_meta, ?) IS 'true'").param(path));
    }
    if (anyFalse) {
      parts.add(() -> out.append("json_type(a.user_meta, ?) IS 'false'").param(path));
    }
    if (parts.isEmpty()) {
      out.append("0");
      return;
    }
    out.append("(");
    for (int i = 0; i < parts.size(); i++) {
      out.append(i == 0 ? "" : " OR ");
      parts.get(i).run();
    }
    out.append(")");
  }

  private static void valueIn(String typeTest, String path, List<Object> values, Sql out) {
    out.append(typeTest).param(path).append(" AND (a.user_meta ->> ?) IN (").param(path);
    for (int i = 0; i < values.size(); i++) {
      out.append(i == 0 ? "?" : ", ?").param(values.get(i));
    }
    out.append("))");
  }

  /**
   * The JSON path of a key address: each key a quoted label with {@code "} and {@code \} escaped
   * and control characters as {@code \}{@code uXXXX}, so any key is addressed literally.
   */
  static String jsonPath(List<String> key) {
    StringBuilder path = new StringBuilder("$");
    for (String k : key) {
      path.append(".\"");
      for (int i = 0; i < k.length(); i++) {
        char ch = k.charAt(i);
        if (ch == '"' || ch == '\\') {
          path.append('\\').append(ch);
        } else if (ch < 0x20) {
          path.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) ch));
        } else {
          path.append(ch);
        }
      }
      path.append('"');
    }
    return path.toString();
  }

  // ------------------------------------------------------------------ cursors

  /** The sort-term values of the current row, tagged with their SQLite type. */
  static List<String> readKey(ResultSet rs, int terms) throws SQLException {
    List<String> key = new ArrayList<>(terms);
    for (int i = 0; i < terms; i++) {
      Object v = rs.getObject(FIRST_KEY_COLUMN + i);
      if (v instanceof Integer || v instanceof Long) {
        key.add("i" + ((Number) v).longValue());
      } else if (v instanceof Double || v instanceof Float) {
        key.add("r" + ((Number) v).doubleValue());
      } else if (v instanceof String s) {
        key.add("t" + s);
      } else {
        throw new IllegalStateException("unexpected sort value " + v);
      }
    }
    return key;
  }

  private static Object cursorValue(Kind kind, String field) {
    if (!field.isEmpty()) {
      char tag = field.charAt(0);
      String rest = field.substring(1);
      try {
        if (tag == 'i' && kind != Kind.TEXT) {
          return Long.parseLong(rest);
        }
        if (tag == 'r' && kind == Kind.ANY) {
          return Double.parseDouble(rest);
        }
        if (tag == 't' && kind != Kind.INTEGER) {
          return rest;
        }
      } catch (NumberFormatException e) {
        // falls through to the error
      }
    }
    throw new InvalidCursorException("malformed cursor: bad sort value");
  }

  // ------------------------------------------------------------------ SQL text with parameters

  /** SQL text and its parameters, built together. */
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

    Statement toStatement() {
      return new Statement(text.toString(), params);
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
