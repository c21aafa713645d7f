package dev.diskstore.postgres;

import dev.diskstore.spi.index.DiskRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Disk rows and the store's settings ({@code store_meta}), on a connection inside the caller's
 * transaction: the PostgreSQL SQL of the SPI's {@code IndexSession.DiskRows} and {@code
 * storeMeta}. Disk pages are keyset scans of {@code (created_at, id)}, or {@code (user,
 * created_at, id)} for one user's disks, or {@code (project, created_at, id)} for one project's.
 */
final class PgDisks {
  private PgDisks() {}

  private static final String COLUMNS = "id, \"user\", project, created_at, updated_at";

  static void insert(Connection c, DiskRow disk) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("INSERT INTO disks (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?)")) {
      s.setString(1, disk.id());
      s.setString(2, disk.user());
      s.setString(3, disk.project());
      s.setLong(4, disk.createdAt());
      s.setLong(5, disk.updatedAt());
      s.executeUpdate();
    }
  }

  static Optional<DiskRow> find(Connection c, String diskId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT " + COLUMNS + " FROM disks WHERE id = ?")) {
      s.setString(1, diskId);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(disk(rs)) : Optional.empty();
      }
    }
  }

  static boolean exists(Connection c, String diskId) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM disks WHERE id = ?")) {
      s.setString(1, diskId);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next();
      }
    }
  }

  /**
   * Disks in {@code (created_at, id)} order (descending when asked), of one user when given, after
   * {@code (afterCreatedAt, afterId)} when {@code afterId} is given.
   */
  static List<DiskRow> page(
      Connection c,
      @Nullable String user,
      @Nullable String project,
      boolean descending,
      long afterCreatedAt,
      @Nullable String afterId,
      int limit)
      throws SQLException {
    String order = descending ? "DESC" : "ASC";
    StringBuilder sql = new StringBuilder("SELECT " + COLUMNS + " FROM disks WHERE true");
    if (user != null) {
      sql.append(" AND \"user\" = ?");
    }
    if (project != null) {
      sql.append(" AND project = ?");
    }
    if (afterId != null) {
      sql.append(descending ? " AND (created_at, id) < (?, ?)" : " AND (created_at, id) > (?, ?)");
    }
    sql.append(" ORDER BY created_at ").append(order).append(", id ").append(order)
        .append(" LIMIT ?");
    List<DiskRow> out = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement(sql.toString())) {
      int i = 1;
      if (user != null) {
        s.setString(i++, user);
      }
      if (project != null) {
        s.setString(i++, project);
      }
      if (afterId != null) {
        s.setLong(i++, afterCreatedAt);
        s.setString(i++, afterId);
      }
      s.setInt(i, limit);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(disk(rs));
        }
      }
    }
    return out;
  }

  /** Deletes the disk; its artifact rows and directories go with it (ON DELETE CASCADE). */
  static void delete(Connection c, String diskId) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("DELETE FROM disks WHERE id = ?")) {
      s.setString(1, diskId);
      s.executeUpdate();
    }
  }

  static Optional<String> storeMeta(Connection c, String key) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT value FROM store_meta WHERE key = ?")) {
      s.setString(1, key);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  static void putStoreMeta(Connection c, String key, String value) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO store_meta (key, value) VALUES (?, ?)"
                + " ON CONFLICT (key) DO UPDATE SET value = excluded.value")) {
      s.setString(1, key);
      s.setString(2, value);
      s.executeUpdate();
    }
  }

  private static DiskRow disk(ResultSet rs) throws SQLException {
    return new DiskRow(
        rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5));
  }
}
