package dev.diskstore.index.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.DiskStoreException;
import dev.diskstore.StorageException;
import dev.diskstore.StoreClosedException;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteIndexTest {
  @TempDir Path dir;

  private SqliteIndex open() {
    return new SqliteIndex(dir.resolve("index.db"), Duration.ofSeconds(5), 2);
  }

  private static String pragma(SqliteIndex index, String name) {
    return index.read(
        c -> {
          try (var s = c.createStatement();
              ResultSet rs = s.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getString(1);
          }
        });
  }

  @Test
  void createsSchemaInWalModeWithForeignKeys() {
    try (SqliteIndex index = open()) {
      assertThat(pragma(index, "user_version")).isEqualTo(String.valueOf(SqliteIndex.SCHEMA_VERSION));
      assertThat(pragma(index, "journal_mode")).isEqualTo("wal");
      assertThat(pragma(index, "foreign_keys")).isEqualTo("1");
    }
    // reopening does not migrate again
    try (SqliteIndex index = open()) {
      assertThat(pragma(index, "user_version")).isEqualTo(String.valueOf(SqliteIndex.SCHEMA_VERSION));
    }
  }

  private static int writerSynchronous(SqliteIndex index, boolean durable) {
    return index.write(durable, c -> {
      try (var s = c.createStatement();
          ResultSet rs = s.executeQuery("PRAGMA synchronous")) {
        rs.next();
        return rs.getInt(1);
      }
    });
  }

  @Test
  void durableWritesFsyncUnlessRelaxedAndBookkeepingNever() {
    try (SqliteIndex index = open()) {
      assertThat(writerSynchronous(index, true)).as("FULL").isEqualTo(2);
      assertThat(writerSynchronous(index, false)).as("NORMAL").isEqualTo(1);
      assertThat(writerSynchronous(index, true)).as("restored").isEqualTo(2);
    }
    try (SqliteIndex index =
        new SqliteIndex(dir.resolve("index.db"), Duration.ofSeconds(5), 2, false)) {
      assertThat(writerSynchronous(index, true)).as("relaxed: NORMAL").isEqualTo(1);
      assertThat(writerSynchronous(index, false)).isEqualTo(1);
      assertThat(writerSynchronous(index, true)).isEqualTo(1);
    }
  }

  @Test
  void disksOfAnIndexFromBeforeProjectsBelongToTheStoresProject() throws Exception {
    try (java.sql.Connection c =
            java.sql.DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.db"));
        var s = c.createStatement()) {
      for (int v = 1; v <= 4; v++) {
        for (String sql : Schema.migration(v)) {
          s.execute(sql);
        }
      }
      s.execute("PRAGMA user_version = 4");
      s.execute("INSERT INTO store_meta VALUES ('project_id', 'proj-1')");
      s.execute("INSERT INTO disks (id, user, created_at, updated_at) VALUES ('old', NULL, 1, 1)");
    }
    try (SqliteIndex index = open()) {
      assertThat(pragma(index, "user_version")).isEqualTo(String.valueOf(SqliteIndex.SCHEMA_VERSION));
      assertThat(index.<String>read(c -> {
        try (var s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT project FROM disks WHERE id = 'old'")) {
          rs.next();
          return rs.getString(1);
        }
      })).isEqualTo("proj-1");
    }
  }

  @Test
  void refusesANewerSchema() {
    try (SqliteIndex index = open()) {
      index.write(true, c -> {
        try (var s = c.createStatement()) {
          s.execute("PRAGMA user_version = 99");
        }
        return null;
      });
    }
    assertThatThrownBy(this::open)
        .isInstanceOf(DiskStoreException.class)
        .hasMessageContaining("schema version 99");
  }

  @Test
  void rollsBackOnFailureAndTranslatesSqlErrors() {
    try (SqliteIndex index = open()) {
      assertThatThrownBy(
              () ->
                  index.write(true, c -> {
                    try (var s = c.createStatement()) {
                      s.execute("INSERT INTO store_meta (key, value) VALUES ('k', 'v')");
                      s.execute("INSERT INTO store_meta (key, value) VALUES ('k', 'again')");
                    }
                    return null;
                  }))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("index write failed");
      int rows =
          index.read(c -> {
            try (var s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM store_meta")) {
              rs.next();
              return rs.getInt(1);
            }
          });
      assertThat(rows).isZero();
    }
  }

  @Test
  void groupCommitIsolatesFailuresOfConcurrentWrites() throws Exception {
    try (SqliteIndex index = open()) {
      int threads = 16;
      int perThread = 40;
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(threads);
      java.util.concurrent.atomic.AtomicInteger failures = new java.util.concurrent.atomic.AtomicInteger();
      java.util.List<java.util.concurrent.Future<?>> futures = new java.util.ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        futures.add(pool.submit(() -> {
          for (int i = 0; i < perThread; i++) {
            String key = thread + "-" + i;
            boolean fail = i % 5 == 0;
            try {
              index.write(true, c -> {
                try (var s = c.prepareStatement("INSERT INTO store_meta (key, value) VALUES (?, ?)")) {
                  s.setString(1, key);
                  s.setString(2, "v");
                  s.executeUpdate();
                }
                if (fail) {
                  throw new IllegalStateException("fail " + key);
                }
                return null;
              });
            } catch (IllegalStateException e) {
              assertThat(e).hasMessage("fail " + key);
              failures.incrementAndGet();
            }
          }
          return null;
        }));
      }
      for (var f : futures) {
        f.get();
      }
      pool.shutdown();
      int rows =
          index.read(c -> {
            try (var s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM store_meta")) {
              rs.next();
              return rs.getInt(1);
            }
          });
      assertThat(failures.get()).isEqualTo(threads * perThread / 5);
      assertThat(rows).isEqualTo(threads * perThread - failures.get());
      boolean anyFailedKeyStored =
          index.read(c -> {
            try (var s = c.createStatement();
                ResultSet rs =
                    s.executeQuery("SELECT count(*) FROM store_meta WHERE key LIKE '%-0'"
                        + " OR key LIKE '%-5' OR key LIKE '%-10'")) {
              rs.next();
              return rs.getInt(1) > 0;
            }
          });
      assertThat(anyFailedKeyStored).isFalse();
    }
  }

  @Test
  void useAfterCloseFailsTyped() {
    SqliteIndex index = open();
    index.close();
    index.close();
    assertThatThrownBy(() -> index.read(c -> 1)).isInstanceOf(StoreClosedException.class);
    assertThatThrownBy(() -> index.write(true, c -> 1)).isInstanceOf(StoreClosedException.class);
  }
}
