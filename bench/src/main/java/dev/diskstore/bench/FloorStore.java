package dev.diskstore.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicLong;
import org.sqlite.SQLiteConfig;

/**
 * The baseline every local benchmark is compared with: the least a durable "file plus index row"
 * store has to do, written directly on the JDK and sqlite-jdbc.
 *
 * <p>A write is: write {@code <n>.tmp} in one flat directory, {@code FileChannel.force(true)},
 * rename it to {@code <n>.dat} with {@code ATOMIC_MOVE}, force the directory (as DiskStore's local
 * backend does), then one {@code INSERT} committed on its own (auto-commit) in a WAL database with
 * {@code synchronous=FULL}, the settings of DiskStore's index. A read is one {@code SELECT} on the
 * {@code (disk, path, filename)} unique index plus {@code Files.readAllBytes}. No hashing, no
 * content detection, no metadata JSON, no full-text index, no crash bookkeeping: the floor, not a
 * competitor.
 *
 * <p>One writer connection and one reader connection. {@link #put} may be called from several
 * threads at once (the 8-writer floor of {@link PeerConcurrentBench}): the file is written, forced,
 * renamed and its directory forced concurrently, then each {@code INSERT} commits on the one writer
 * connection in turn, one WAL fsync per write (no group commit: the least a hand-written store with
 * one connection does). Everything else ({@link #find}, {@link #remove}, {@link #close}) is for one
 * thread.
 */
final class FloorStore implements AutoCloseable {
  /** One index row. */
  record Row(long id, String path, String filename, String file, long size, String meta) {}

  private final Path files;
  private final Connection writer;
  private final Connection reader;
  private final PreparedStatement insert;
  private final PreparedStatement select;
  private final PreparedStatement delete;
  private final AtomicLong next = new AtomicLong();

  private FloorStore(Path dir) throws IOException, SQLException {
    this.files = Files.createDirectories(dir.resolve("files"));
    String url = "jdbc:sqlite:" + dir.resolve("floor.db").toAbsolutePath();
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    config.setBusyTimeout(30_000);
    writer = DriverManager.getConnection(url, config.toProperties());
    try (Statement s = writer.createStatement()) {
      s.execute(
          "CREATE TABLE IF NOT EXISTS files (id INTEGER PRIMARY KEY, disk TEXT NOT NULL,"
              + " path TEXT NOT NULL, filename TEXT NOT NULL, file TEXT NOT NULL,"
              + " size INTEGER NOT NULL, meta TEXT NOT NULL, created_at INTEGER NOT NULL,"
              + " UNIQUE (disk, path, filename)) STRICT");
    }
    reader = DriverManager.getConnection(url, config.toProperties());
    insert =
        writer.prepareStatement(
            "INSERT INTO files (disk, path, filename, file, size, meta, created_at)"
                + " VALUES ('bench', ?, ?, ?, ?, '{}', ?)");
    select =
        reader.prepareStatement(
            "SELECT id, path, filename, file, size, meta FROM files"
                + " WHERE disk = 'bench' AND path = ? AND filename = ?");
    delete =
        writer.prepareStatement(
            "DELETE FROM files WHERE disk = 'bench' AND path = ? AND filename = ?");
  }

  static FloorStore open(Path dir) {
    try {
      return new FloorStore(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Durably stores {@code bytes} and indexes them; returns the size. Safe from several threads. */
  long put(String path, String filename, byte[] bytes) {
    String name = next.getAndIncrement() + ".dat";
    Path tmp = files.resolve(name + ".tmp");
    try (FileChannel channel =
        FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes);
      while (buffer.hasRemaining()) {
        channel.write(buffer);
      }
      channel.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return publish(tmp, name, path, filename, bytes.length);
  }

  /**
   * Durably stores the stream's bytes (copied through a 64 KiB buffer) and indexes them; returns
   * the size.
   */
  long put(String path, String filename, InputStream in) {
    String name = next.getAndIncrement() + ".dat";
    Path tmp = files.resolve(name + ".tmp");
    long size = 0;
    try (FileChannel channel =
        FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      byte[] chunk = new byte[64 * 1024];
      ByteBuffer buffer = ByteBuffer.wrap(chunk);
      int n;
      while ((n = in.read(chunk)) > 0) {
        buffer.clear().limit(n);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        size += n;
      }
      channel.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return publish(tmp, name, path, filename, size);
  }

  private long publish(Path tmp, String name, String path, String filename, long size) {
    try {
      Files.move(tmp, files.resolve(name), StandardCopyOption.ATOMIC_MOVE);
      try (FileChannel dir = FileChannel.open(files, StandardOpenOption.READ)) {
        dir.force(true);
      }
      // one connection: its statement is used by one thread at a time
      synchronized (insert) {
        insert.setString(1, path);
        insert.setString(2, filename);
        insert.setString(3, name);
        insert.setLong(4, size);
        insert.setLong(5, System.currentTimeMillis() * 1000);
        insert.executeUpdate();
      }
      return size;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The row of {@code path/filename}, or null. */
  Row find(String path, String filename) {
    try {
      select.setString(1, path);
      select.setString(2, filename);
      try (ResultSet rs = select.executeQuery()) {
        if (!rs.next()) {
          return null;
        }
        return new Row(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
            rs.getLong(5), rs.getString(6));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The file holding a row's bytes. */
  Path file(Row row) {
    return files.resolve(row.file());
  }

  /** Removes a row and its file (not durable; used between iterations). */
  void remove(String path, String filename) {
    Row row = find(path, filename);
    if (row == null) {
      return;
    }
    try {
      Files.deleteIfExists(file(row));
      delete.setString(1, path);
      delete.setString(2, filename);
      delete.executeUpdate();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      insert.close();
      select.close();
      delete.close();
      reader.close();
      writer.close();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
