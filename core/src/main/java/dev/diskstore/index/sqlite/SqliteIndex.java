package dev.diskstore.index.sqlite;

import dev.diskstore.DiskStoreException;
import dev.diskstore.StorageException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The SQLite metadata index: one writer connection (write transactions are {@code BEGIN
 * IMMEDIATE}, serialised within the JVM by a lock and across processes by SQLite) and a small pool
 * of read connections (WAL readers never block and see a consistent snapshot per transaction).
 *
 * <p>Thread-safe. {@link #close()} closes every connection; it waits for the writer lock.
 */
final class SqliteIndex implements AutoCloseable {
  /** The schema version this code writes; older databases are migrated forward on open. */
  static final int SCHEMA_VERSION = 7;

  /** Prepared statements kept per connection (see {@link StatementCache}). */
  private static final int STATEMENT_CACHE_SIZE = 64;

  /** Work done inside one transaction. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection connection) throws SQLException;
  }

  private final Path file;
  /** The pragma that restores the writer's synchronous mode for durable writes. */
  private final String commitSync;
  private final Connection writer;
  private final ReentrantLock writeLock = new ReentrantLock();
  private final BlockingQueue<Connection> readers;
  private final List<Connection> allReaders = new ArrayList<>();
  private volatile boolean closed;

  SqliteIndex(Path file, Duration busyTimeout, int readConnections) {
    this(file, busyTimeout, readConnections, true);
  }

  /**
   * @param durableCommits whether "durable" writes fsync at commit ({@code synchronous=FULL}) or
   *     only survive a process crash ({@code NORMAL}; see {@code DiskStoreConfig.durableCommits})
   */
  SqliteIndex(Path file, Duration busyTimeout, int readConnections, boolean durableCommits) {
    this.file = file;
    this.commitSync = durableCommits ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL";
    String url = "jdbc:sqlite:" + file.toAbsolutePath();
    Connection w = null;
    try {
      SQLiteConfig writeConfig = baseConfig(busyTimeout);
      writeConfig.setJournalMode(SQLiteConfig.JournalMode.WAL);
      // Transactions are begun explicitly (BEGIN IMMEDIATE for writes), in auto-commit mode, so
      // that the driver never holds a transaction open between our calls.
      SqliteNativeLibrary.prepare();
      w = StatementCache.wrap(
          DriverManager.getConnection(url, writeConfig.toProperties()), STATEMENT_CACHE_SIZE);
      exec(w, commitSync);
      this.writer = w;
      migrate();
      this.readers = new ArrayBlockingQueue<>(readConnections);
      for (int i = 0; i < readConnections; i++) {
        SQLiteConfig readConfig = baseConfig(busyTimeout);
        Connection r =
            StatementCache.wrap(
                DriverManager.getConnection(url, readConfig.toProperties()),
                STATEMENT_CACHE_SIZE);
        allReaders.add(r);
        readers.add(r);
      }
    } catch (SQLException e) {
      closeQuietly(w);
      allReaders.forEach(SqliteIndex::closeQuietly);
      throw translate("cannot open the index " + file, e);
    }
  }

  private static SQLiteConfig baseConfig(Duration busyTimeout) {
    SQLiteConfig config = new SQLiteConfig();
    config.enforceForeignKeys(true);
    config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
    // FULL: a commit that returned is on disk (the WAL is fsynced at each commit).
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setSharedCache(false);
    return config;
  }

  Path file() {
    return file;
  }

  /**
   * Runs {@code work} in a write transaction ({@code BEGIN IMMEDIATE}) and commits it; an
   * exception from {@code work} rolls back its changes and is rethrown to the caller.
   *
   * <p><b>Group commit.</b> Durable writes from concurrent threads are committed together: each
   * caller queues its work, and whichever thread holds the writer runs every queued work in one
   * transaction, each inside its own savepoint (so that one work's failure undoes only its own
   * changes), then commits once: one WAL fsync for the whole group. A caller whose work a
   * previous group already ran returns as soon as it gets the lock. A failed commit fails every
   * work of its group.
   *
   * <p>{@code durable=false} commits without fsync (for bookkeeping rows whose loss on power
   * failure garbage collection tolerates) and is never grouped.
   */
  <T> T write(boolean durable, Work<T> work) {
    if (!durable) {
      return writeAlone(work);
    }
    Pending<T> mine = new Pending<>(work);
    commitQueue.add(mine);
    writeLock.lock();
    try {
      if (!mine.done) {
        checkOpen();
        List<Pending<?>> group = new ArrayList<>();
        Pending<?> next;
        while (group.size() < MAX_GROUP && (next = commitQueue.poll()) != null) {
          group.add(next);
        }
        try {
          runGroup(group);
        } finally {
          // only for works the group left without an outcome (it threw): an exception costs a
          // stack trace, and this runs under the writer lock for every work of every group
          for (Pending<?> p : group) {
            if (!p.done) {
              p.fail(new StorageException("the write group was aborted", true, null));
            }
          }
        }
      }
    } catch (RuntimeException | Error e) {
      // checkOpen failed or the group could not run: fail whatever was drained but not done
      mine.fail(e);
    } finally {
      writeLock.unlock();
    }
    return mine.result();
  }

  private static final int MAX_GROUP = 64;

  private final java.util.concurrent.ConcurrentLinkedQueue<Pending<?>> commitQueue =
      new java.util.concurrent.ConcurrentLinkedQueue<>();

  /** One queued durable write and, once its group ran, its outcome. */
  private static final class Pending<T> {
    private final Work<T> work;
    private volatile boolean done;
    private T value;
    private Throwable failure;

    Pending(Work<T> work) {
      this.work = work;
    }

    void run(Connection c) throws SQLException {
      value = work.run(c);
    }

    /** Records a failure, unless an outcome is already recorded. */
    void fail(Throwable e) {
      if (!done) {
        failure = e;
        done = true;
      }
    }

    void succeed() {
      done = true;
    }

    T result() {
      if (failure instanceof SQLException sql) {
        throw translate("index write failed", sql);
      }
      if (failure instanceof RuntimeException r) {
        throw r;
      }
      if (failure instanceof Error err) {
        throw err;
      }
      return value;
    }
  }

  private void runGroup(List<Pending<?>> group) {
    List<Pending<?>> succeeded = new ArrayList<>(group.size());
    try {
      exec(writer, "BEGIN IMMEDIATE");
    } catch (SQLException e) {
      group.forEach(p -> p.fail(e));
      return;
    }
    for (Pending<?> p : group) {
      try {
        exec(writer, "SAVEPOINT work");
        try {
          p.run(writer);
          exec(writer, "RELEASE work");
          succeeded.add(p);
        } catch (SQLException | RuntimeException | Error e) {
          exec(writer, "ROLLBACK TO work");
          exec(writer, "RELEASE work");
          p.fail(e);
        }
      } catch (SQLException e) {
        // the savepoint machinery itself failed: give up on the whole group
        rollbackQuietly(writer);
        group.forEach(q -> q.fail(e));
        return;
      }
    }
    try {
      exec(writer, "COMMIT");
      succeeded.forEach(Pending::succeed);
    } catch (SQLException e) {
      rollbackQuietly(writer);
      succeeded.forEach(p -> p.fail(e));
    }
  }

  /** A write transaction of its own, not grouped. */
  private <T> T writeAlone(Work<T> work) {
    writeLock.lock();
    try {
      checkOpen();
      exec(writer, "PRAGMA synchronous=NORMAL");
      try {
        exec(writer, "BEGIN IMMEDIATE");
        T result;
        try {
          result = work.run(writer);
        } catch (SQLException | RuntimeException | Error e) {
          rollbackQuietly(writer);
          throw e;
        }
        exec(writer, "COMMIT");
        return result;
      } finally {
        exec(writer, commitSync);
      }
    } catch (SQLException e) {
      rollbackQuietly(writer);
      throw translate("index write failed", e);
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Attaches another database file to every read connection as {@code schema}. Only while the
   * index is being opened, before any read.
   */
  void attachToReaders(Path other, String schema) {
    if (!schema.matches("[a-z]+")) {
      throw new IllegalArgumentException("schema name " + schema);
    }
    try {
      for (Connection r : allReaders) {
        try (var s = r.prepareStatement("ATTACH DATABASE ? AS " + schema)) {
          s.setString(1, other.toAbsolutePath().toString());
          s.execute();
        }
      }
    } catch (SQLException e) {
      throw translate("cannot attach " + other + " to the index", e);
    }
  }

  /**
   * Attaches {@code other} as {@code schema} in place of the database attached under that name,
   * on every read connection: waits until each connection is idle and takes them all meanwhile, so
   * no read sees a half-switched pool. The caller must not hold a read connection.
   */
  void reattachToReaders(Path other, String schema) {
    if (!schema.matches("[a-z]+")) {
      throw new IllegalArgumentException("schema name " + schema);
    }
    List<Connection> taken = new ArrayList<>();
    try {
      for (int i = 0; i < allReaders.size(); i++) {
        taken.add(readers.take());
      }
      checkOpen();
      for (Connection r : taken) {
        try (var s = r.prepareStatement("DETACH DATABASE " + schema)) {
          s.execute();
        } catch (SQLException e) {
          // not attached (an earlier switch failed half way): attach below
        }
        try (var s = r.prepareStatement("ATTACH DATABASE ? AS " + schema)) {
          s.setString(1, other.toAbsolutePath().toString());
          s.execute();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while switching the text index", true, e);
    } catch (SQLException e) {
      throw translate("cannot attach " + other + " to the index", e);
    } finally {
      readers.addAll(taken);
    }
  }

  /**
   * Runs {@code work} on a read connection without an explicit transaction: each statement is its
   * own snapshot. For work whose statements need not agree with each other (a single lookup),
   * saving the {@code BEGIN} and {@code COMMIT} round trips of {@link #read}.
   */
  <T> T readEach(Work<T> work) {
    checkOpen();
    Connection connection;
    try {
      connection = readers.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while waiting for an index connection", true, e);
    }
    try {
      checkOpen();
      return work.run(connection);
    } catch (SQLException e) {
      throw translate("index read failed", e);
    } finally {
      readers.add(connection);
    }
  }

  /** Runs {@code work} in a read transaction: one consistent snapshot. */
  <T> T read(Work<T> work) {
    return readEach(
        connection -> {
          exec(connection, "BEGIN");
          try {
            T result = work.run(connection);
            exec(connection, "COMMIT");
            return result;
          } catch (SQLException | RuntimeException | Error e) {
            rollbackQuietly(connection);
            throw e;
          }
        });
  }

  private void migrate() throws SQLException {
    int version = userVersion();
    if (version > SCHEMA_VERSION) {
      throw new DiskStoreException(
          "the index " + file + " has schema version " + version + ", newer than this DiskStore ("
              + SCHEMA_VERSION + "); upgrade DiskStore to open it");
    }
    if (version < SCHEMA_VERSION) {
      // One transaction takes the schema from whatever version it has (re-read under the write
      // lock, so that two processes opening a fresh store at once migrate it once) to the
      // current one: a fresh store costs one durable commit, and a crash leaves either version.
      write(
          true,
          c -> {
            int now = userVersionOn(c);
            try (Statement s = c.createStatement()) {
              while (now < SCHEMA_VERSION) {
                now++;
                for (String sql : Schema.migration(now)) {
                  s.execute(sql);
                }
                Schema.backfill(c, now);
              }
              s.execute("PRAGMA user_version = " + now);
            }
            return now;
          });
    }
  }

  private int userVersion() throws SQLException {
    return userVersionOn(writer);
  }

  private static int userVersionOn(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        var rs = s.executeQuery("PRAGMA user_version")) {
      return rs.next() ? rs.getInt(1) : 0;
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new dev.diskstore.StoreClosedException();
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    writeLock.lock();
    try {
      closed = true;
      closeQuietly(writer);
      allReaders.forEach(SqliteIndex::closeQuietly);
    } finally {
      writeLock.unlock();
    }
  }

  /** Runs a statement without parameters (BEGIN, COMMIT, SAVEPOINT...) through the cache. */
  private static void exec(Connection c, String sql) throws SQLException {
    try (var s = c.prepareStatement(sql)) {
      s.execute();
    }
  }

  static StorageException translate(String what, SQLException e) {
    if (e instanceof SQLiteException sqlite) {
      SQLiteErrorCode code = sqlite.getResultCode();
      boolean retryable =
          switch (code.code & 0xff) {
            case 5, 6 -> true; // SQLITE_BUSY, SQLITE_LOCKED
            default -> false;
          };
      String hint =
          switch (code.code & 0xff) {
            case 13 -> " (disk full)";
            case 8 -> " (the index is read-only)";
            case 5 -> " (another process held the write lock past the busy timeout)";
            case 10 -> " (I/O error)";
            case 11 -> " (the index file is corrupt)";
            default -> "";
          };
      return new StorageException(what + hint + ": " + e.getMessage(), retryable, e);
    }
    return new StorageException(what + ": " + e.getMessage(), false, e);
  }

  private static void rollbackQuietly(Connection c) {
    try {
      if (!c.getAutoCommit()) {
        c.rollback();
      } else {
        exec(c, "ROLLBACK");
      }
    } catch (SQLException ignored) {
      // the connection is already unusable; the next statement reports it
    }
  }

  private static void closeQuietly(Connection c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (SQLException ignored) {
      // closing; nothing to do
    }
  }
}
