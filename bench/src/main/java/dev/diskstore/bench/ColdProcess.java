package dev.diskstore.bench;

import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import org.sqlite.SQLiteConfig;

/**
 * The program {@link ColdProcessBench} starts in a fresh JVM: {@code java -cp benchmarks.jar
 * dev.diskstore.bench.ColdProcess floor|diskstore NEW_DIRECTORY}. It does one thing, closes what it
 * opened and exits 0 (non-zero, with a stack trace, if anything fails).
 *
 * <ul>
 *   <li>{@code floor}, a JVM that only opens SQLite: the driver through {@code DriverManager} (as
 *       DiskStore's index and {@link FloorStore} open it), a new database file in WAL mode with
 *       {@code synchronous=FULL} (DiskStore's settings), one table created, one row inserted and
 *       committed (a durable commit);
 *   <li>{@code diskstore}: what {@link ColdStartBench#openAndFirstUpsert} does, {@code
 *       DiskStore.local(NEW_DIRECTORY)}, {@code disks().create()} and the upsert of a 1 KiB {@code
 *       notes.md} (blob fsync, rename, directory fsync, durable index commit), then {@code
 *       close()}.
 * </ul>
 *
 * Deliberately small: it loads no JMH class and nothing the mode does not need, so that the two
 * processes differ only by what DiskStore does beyond the floor.
 */
public final class ColdProcess {
  private ColdProcess() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 2) {
      throw new IllegalArgumentException("usage: ColdProcess floor|diskstore NEW_DIRECTORY");
    }
    Path dir = Files.createDirectories(Path.of(args[1]));
    switch (args[0]) {
      case "floor" -> floor(dir);
      case "diskstore" -> diskstore(dir);
      default -> throw new IllegalArgumentException("mode must be floor or diskstore: " + args[0]);
    }
  }

  private static void floor(Path dir) throws Exception {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.FULL);
    String url = "jdbc:sqlite:" + dir.resolve("floor.db").toAbsolutePath();
    try (Connection c = DriverManager.getConnection(url, config.toProperties())) {
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE files (id INTEGER PRIMARY KEY, path TEXT NOT NULL,"
            + " filename TEXT NOT NULL, size INTEGER NOT NULL, UNIQUE (path, filename)) STRICT");
      }
      try (PreparedStatement insert =
          c.prepareStatement("INSERT INTO files (path, filename, size) VALUES (?, ?, ?)")) {
        insert.setString(1, "/");
        insert.setString(2, "notes.md");
        insert.setLong(3, 1024);
        if (insert.executeUpdate() != 1) {
          throw new IllegalStateException("the row was not inserted");
        }
      }
    }
  }

  private static void diskstore(Path dir) {
    try (DiskStore store = DiskStore.local(dir.resolve("store"))) {
      String disk = store.disks().create().id();
      store.disks().artifacts().upsert(disk, FileUpload.of("notes.md", Content.text(1024, 1)), "/");
    }
  }
}
