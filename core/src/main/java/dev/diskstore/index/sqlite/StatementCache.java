package dev.diskstore.index.sqlite;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A per-connection cache of prepared statements. sqlite-jdbc compiles every {@code
 * prepareStatement} anew (SQLite's {@code sqlite3_prepare}: about 8 µs for the index's typical
 * statements, more than executing them), and an upsert or a get runs a dozen statements, so the
 * index wraps each of its connections with {@link #wrap}.
 *
 * <p>The wrapped connection's {@code prepareStatement(String)} returns a statement from the cache
 * when one for the same SQL text is free; closing it returns it to the cache instead of finalising
 * it. Parameters are <em>not</em> cleared (sqlite-jdbc's {@code clearParameters} costs about 13 µs,
 * more than the lookup it would precede): the index's code binds every parameter of every
 * statement before executing it. A statement still in use (for example a nested query with the
 * same SQL) is never handed out twice: a second, uncached statement is prepared instead. At most
 * {@code capacity} statements are kept per connection, least recently used first out, so
 * dynamically built SQL (metadata queries) does not grow the cache without bound. Every other
 * method goes to the real connection; closing the connection finalises the cached statements.
 *
 * <p>A statement whose use threw an {@link SQLException} leaves the cache and is finalised, so a
 * failure (a full disk, an I/O error) never poisons later uses of the same SQL.
 *
 * <p>Not thread-safe, like the connection it wraps: the index uses a connection from one thread at
 * a time (the writer under its lock, a reader while it is taken from the pool).
 */
final class StatementCache implements InvocationHandler {
  private final Connection connection;
  private final int capacity;
  private Connection self;
  private final LinkedHashMap<String, Entry> entries;

  /** A cached statement. */
  private static final class Entry {
    final String sql;
    final PreparedStatement statement;
    boolean inUse;
    boolean evicted;

    Entry(String sql, PreparedStatement statement) {
      this.sql = sql;
      this.statement = statement;
    }
  }

  /** One hand-out of a cached statement; closing it (once) gives the statement back. */
  private final class Lease implements InvocationHandler {
    private final Entry entry;
    private boolean closed;

    Lease(Entry entry) {
      this.entry = entry;
    }

    @Override
    public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
      switch (method.getName()) {
        case "close":
          if (!closed) {
            closed = true;
            entry.inUse = false;
            if (entry.evicted) {
              entry.statement.close();
            }
          }
          return null;
        case "isClosed":
          return closed;
        case "getConnection":
          return self;
        default:
          if (closed) {
            throw new SQLException("statement is closed");
          }
          try {
            return call(entry.statement, method, args);
          } catch (SQLException e) {
            // A statement whose execution failed (a full disk, an I/O error, a busy database)
            // may be left in a state the driver cannot reuse: never hand it out again.
            discard(entry);
            throw e;
          }
      }
    }
  }

  private StatementCache(Connection connection, int capacity) {
    this.connection = connection;
    this.capacity = capacity;
    this.entries =
        new LinkedHashMap<>(capacity * 2, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            if (size() <= StatementCache.this.capacity) {
              return false;
            }
            Entry e = eldest.getValue();
            e.evicted = true;
            if (!e.inUse) {
              closeQuietly(e.statement);
            }
            return true;
          }
        };
  }

  /** {@code connection} with a statement cache of {@code capacity} statements. */
  static Connection wrap(Connection connection, int capacity) {
    StatementCache cache = new StatementCache(connection, capacity);
    cache.self =
        (Connection)
            Proxy.newProxyInstance(
                StatementCache.class.getClassLoader(), new Class<?>[] {Connection.class}, cache);
    return cache.self;
  }

  @Override
  public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
    String name = method.getName();
    if (name.equals("prepareStatement") && args != null && args.length == 1) {
      return prepare((String) args[0]);
    }
    if (name.equals("close")) {
      List<Entry> all = new ArrayList<>(entries.values());
      entries.clear();
      for (Entry e : all) {
        closeQuietly(e.statement);
      }
      connection.close();
      return null;
    }
    return call(connection, method, args);
  }

  private PreparedStatement prepare(String sql) throws SQLException {
    Entry e = entries.get(sql);
    if (e == null) {
      e = new Entry(sql, connection.prepareStatement(sql));
      entries.put(sql, e);
    } else if (e.inUse) {
      // nested use of the same SQL: an uncached statement the caller closes for real
      return connection.prepareStatement(sql);
    }
    e.inUse = true;
    return (PreparedStatement)
        Proxy.newProxyInstance(
            StatementCache.class.getClassLoader(),
            new Class<?>[] {PreparedStatement.class},
            new Lease(e));
  }

  /** Takes {@code entry} out of the cache; it is finalised when its current lease closes. */
  private void discard(Entry entry) {
    entry.evicted = true;
    entries.remove(entry.sql, entry);
  }

  private static Object call(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static void closeQuietly(PreparedStatement statement) {
    try {
      statement.close();
    } catch (SQLException ignored) {
      // finalising a statement of a connection being closed or evicting it; nothing depends on it
    }
  }
}
