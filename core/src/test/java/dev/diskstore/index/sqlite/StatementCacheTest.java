package dev.diskstore.index.sqlite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatementCacheTest {
  @TempDir Path dir;
  Connection raw;

  @BeforeEach
  void open() throws SQLException {
    raw = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("t.db"));
    try (var s = raw.createStatement()) {
      s.execute("CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT)");
    }
  }

  private static int insert(Connection c, int k, String v) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("INSERT INTO t (k, v) VALUES (?, ?)")) {
      s.setInt(1, k);
      s.setString(2, v);
      return s.executeUpdate();
    }
  }

  @Test
  void reusesOneCompiledStatementPerSql() throws SQLException {
    try (Connection c = StatementCache.wrap(raw, 8)) {
      insert(c, 1, "one");
      insert(c, 2, "two");
      PreparedStatement first = c.prepareStatement("SELECT v FROM t WHERE k = ?");
      PreparedStatement underlying = first.unwrap(PreparedStatement.class);
      first.setInt(1, 1);
      try (ResultSet rs = first.executeQuery()) {
        assertThat(rs.next()).isTrue();
      }
      first.close();
      assertThat(first.isClosed()).isTrue();
      assertThatThrownBy(first::executeQuery).isInstanceOf(SQLException.class);
      try (PreparedStatement again = c.prepareStatement("SELECT v FROM t WHERE k = ?")) {
        assertThat(again.unwrap(PreparedStatement.class)).isSameAs(underlying);
        again.setInt(1, 2);
        try (ResultSet rs = again.executeQuery()) {
          assertThat(rs.next()).isTrue();
          assertThat(rs.getString(1)).isEqualTo("two");
        }
      }
    }
    assertThat(raw.isClosed()).isTrue();
  }

  @Test
  void aStatementInUseIsNotHandedOutTwice() throws SQLException {
    try (Connection c = StatementCache.wrap(raw, 8)) {
      for (int i = 1; i <= 3; i++) {
        insert(c, i, "v" + i);
      }
      String sql = "SELECT k FROM t WHERE k >= ? ORDER BY k";
      try (PreparedStatement outer = c.prepareStatement(sql)) {
        outer.setInt(1, 1);
        try (ResultSet rs = outer.executeQuery()) {
          int seen = 0;
          while (rs.next()) {
            try (PreparedStatement inner = c.prepareStatement(sql)) {
              assertThat(inner.unwrap(PreparedStatement.class))
                  .isNotSameAs(outer.unwrap(PreparedStatement.class));
              inner.setInt(1, rs.getInt(1));
              try (ResultSet in = inner.executeQuery()) {
                assertThat(in.next()).isTrue();
              }
            }
            seen++;
          }
          assertThat(seen).isEqualTo(3);
        }
      }
    }
  }

  @Test
  void aStatementWhoseExecutionFailedIsNeverReused() throws SQLException {
    try (Connection c = StatementCache.wrap(raw, 8)) {
      insert(c, 1, "one");
      String sql = "INSERT INTO t (k, v) VALUES (?, ?)";
      PreparedStatement failing = c.prepareStatement(sql);
      PreparedStatement failingRaw = failing.unwrap(PreparedStatement.class);
      failing.setInt(1, 1);
      failing.setString(2, "duplicate key");
      assertThatThrownBy(failing::executeUpdate).isInstanceOf(SQLException.class);
      failing.close();
      assertThat(failingRaw.isClosed()).as("finalised, not returned to the cache").isTrue();
      assertThat(insert(c, 2, "two")).isEqualTo(1);
      try (PreparedStatement again = c.prepareStatement(sql)) {
        assertThat(again.unwrap(PreparedStatement.class)).isNotSameAs(failingRaw);
      }
    }
  }

  @Test
  void evictsTheLeastRecentlyUsedStatementsBeyondItsCapacity() throws SQLException {
    try (Connection c = StatementCache.wrap(raw, 2)) {
      PreparedStatement a = c.prepareStatement("SELECT 1");
      PreparedStatement aRaw = a.unwrap(PreparedStatement.class);
      a.close();
      c.prepareStatement("SELECT 2").close();
      c.prepareStatement("SELECT 3").close();
      assertThat(aRaw.isClosed()).as("evicted and finalised").isTrue();
      try (PreparedStatement again = c.prepareStatement("SELECT 1");
          ResultSet rs = again.executeQuery()) {
        assertThat(again.unwrap(PreparedStatement.class)).isNotSameAs(aRaw);
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(1);
      }
    }
  }
}
