package dev.diskstore.index.sqlite;

import dev.diskstore.Query;
import dev.diskstore.QuerySort;
import dev.diskstore.StorageException;
import dev.diskstore.spi.index.CompiledQuery;
import dev.diskstore.spi.index.FullTextIndex;
import dev.diskstore.spi.index.IndexContext;
import dev.diskstore.spi.index.IndexWork;
import dev.diskstore.spi.index.IntegrityProblem;
import dev.diskstore.spi.index.Liveness;
import dev.diskstore.spi.index.MetadataIndex;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The embedded metadata index: SQLite files in the store's directory ({@code index.db}, the
 * full-text generations {@code text-<generation>.db}) and lock files for liveness ({@link
 * LockFileLiveness}). Shared by the processes of one host, never across hosts.
 *
 * <p>Writes are {@code BEGIN IMMEDIATE} transactions on one writer connection, serialised within
 * the JVM by a lock and across processes by SQLite, and durable writes of concurrent threads are
 * group-committed (one fsync per group, each work in its own savepoint: see {@link SqliteIndex}).
 * A group runs each work once; the work of a failed group fails and is not run again. Reads use a
 * pool of WAL read connections.
 *
 * <p>Thread-safe. {@link #close()} closes the text database, the connections and then the
 * liveness lock.
 */
final class SqliteMetadataIndex implements MetadataIndex {
  private final SqliteIndex db;
  private final SqliteFullTextIndex text;
  private final LockFileLiveness liveness;

  private final Path directory;

  private SqliteMetadataIndex(
      SqliteIndex db, SqliteFullTextIndex text, LockFileLiveness liveness, Path directory) {
    this.directory = directory;
    this.db = db;
    this.text = text;
    this.liveness = liveness;
  }

  /** Opens the index in {@code context}'s directory (required), creating the directory. */
  static SqliteMetadataIndex open(IndexContext context) {
    Path dir =
        context.directory().orElseThrow(() -> new IllegalArgumentException(
            "the SQLite index needs the store's directory (DiskStoreConfig.Builder.directory)"));
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new StorageException("cannot create the store directory " + dir + ": " + e, e);
    }
    SqliteIndex db = null;
    SqliteFullTextIndex text = null;
    try {
      db = new SqliteIndex(dir.resolve("index.db"), context.busyTimeout(),
          context.readConnections(), context.durableCommits());
      text = new SqliteFullTextIndex(db, dir, context.busyTimeout());
      return new SqliteMetadataIndex(db, text, new LockFileLiveness(dir), dir);
    } catch (RuntimeException | Error e) {
      if (text != null) {
        text.close();
      }
      if (db != null) {
        db.close();
      }
      throw e;
    }
  }

  /**
   * An OS lock on {@code collection.lock} in the store's directory, shared by every process of the
   * host. The file is never deleted (deleting a lock file others may be locking is the race
   * LockFileLiveness avoids); a lock this JVM already holds for another instance counts as taken.
   */
  @Override
  public Optional<CollectionLease> tryLockCollection() {
    java.nio.channels.FileChannel channel = null;
    try {
      channel = java.nio.channels.FileChannel.open(directory.resolve("collection.lock"),
          java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
      java.nio.channels.FileLock lock;
      try {
        lock = channel.tryLock();
      } catch (java.nio.channels.OverlappingFileLockException e) {
        lock = null; // another instance in this JVM collects
      }
      if (lock == null) {
        channel.close();
        return Optional.empty();
      }
      java.nio.channels.FileChannel held = channel;
      java.util.concurrent.atomic.AtomicBoolean closed =
          new java.util.concurrent.atomic.AtomicBoolean();
      return Optional.of(() -> {
        if (closed.compareAndSet(false, true)) {
          try {
            held.close(); // releases the lock
          } catch (IOException ignored) {
            // the lock goes with the descriptor
          }
        }
      });
    } catch (IOException e) {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw new StorageException(
          "cannot lock " + directory.resolve("collection.lock") + ": " + e, true, e);
    }
  }

  @Override
  public <T> T read(IndexWork<T> work) {
    return db.read(c -> run(c, work));
  }

  @Override
  public <T> T readEach(IndexWork<T> work) {
    return db.readEach(c -> run(c, work));
  }

  @Override
  public <T> T write(boolean durable, IndexWork<T> work) {
    return db.write(durable, c -> run(c, work));
  }

  private static <T> T run(java.sql.Connection c, IndexWork<T> work) throws SQLException {
    try {
      return work.run(new SqliteSession(c));
    } catch (SqliteSession.SqlFailure e) {
      throw e.getCause();
    }
  }

  @Override
  public Liveness liveness() {
    return liveness;
  }

  @Override
  public FullTextIndex fullText() {
    return text;
  }

  @Override
  public CompiledQuery compile(String diskId, Query query, QuerySort sort) {
    return MetadataQueries.compile(diskId, query, sort);
  }

  /** SQLite's check of the index file: quick, or the full integrity check when deep. */
  @Override
  public List<IntegrityProblem> checkIntegrity(boolean deep) {
    String file = db.file().getFileName().toString();
    return db.readEach(
        c -> {
          List<IntegrityProblem> found = new ArrayList<>();
          try (var s = c.createStatement()) {
            try (ResultSet rs =
                s.executeQuery(deep ? "PRAGMA main.integrity_check" : "PRAGMA main.quick_check")) {
              while (rs.next()) {
                String line = rs.getString(1);
                if (!"ok".equals(line)) {
                  found.add(new IntegrityProblem(file, line));
                }
              }
            }
            try (ResultSet rs = s.executeQuery("PRAGMA main.foreign_key_check")) {
              while (rs.next()) {
                found.add(new IntegrityProblem(file,
                    "row " + rs.getLong(2) + " of table " + rs.getString(1)
                        + " references a missing row of " + rs.getString(3)));
              }
            }
          } catch (SQLException e) {
            // a damaged file may fail the check itself
            found.add(new IntegrityProblem(file, "the check failed: " + e.getMessage()));
          }
          return found;
        });
  }

  @Override
  public String describe() {
    return "index " + db.file();
  }

  @Override
  public void close() {
    RuntimeException failure = null;
    for (Runnable step : new Runnable[] {text::close, db::close, liveness::close}) {
      try {
        step.run();
      } catch (RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public String toString() {
    return describe();
  }
}
