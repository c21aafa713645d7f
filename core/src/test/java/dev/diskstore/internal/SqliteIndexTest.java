package dev.diskstore.internal;

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
  void useAfterCloseFailsTyped() {
    SqliteIndex index = open();
    index.close();
    index.close();
    assertThatThrownBy(() -> index.read(c -> 1)).isInstanceOf(StoreClosedException.class);
    assertThatThrownBy(() -> index.write(true, c -> 1)).isInstanceOf(StoreClosedException.class);
  }
}
