package dev.diskstore.postgres;

import dev.diskstore.spi.index.ArtifactRow;
import dev.diskstore.spi.index.IndexSession;
import dev.diskstore.spi.index.VersionRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * {@link IndexSession.VersionRows} on the {@code artifact_versions} table (schema 3) of one
 * connection, inside the serializable transaction of its {@link PgSession}; the same statements as
 * the SQLite index, so both number and keep versions alike. Used by that session's thread
 * only; {@link SQLException}s leave as {@link PgSession.SqlFailure}.
 */
final class PgVersions implements IndexSession.VersionRows {
  private static final String COLUMNS =
      "v.disk_id, v.path, v.filename, v.version, v.change, v.changed_at, v.sha256, v.size,"
          + " v.content_type, v.etag, v.user_meta, v.created_at, v.updated_at,"
          + " v.content_modified_at, b.key";
  private static final String FROM =
      " FROM artifact_versions v LEFT JOIN blobs b ON b.sha256 = v.sha256";
  private static final String ARTIFACT = " v.disk_id = ? AND v.path = ? AND v.filename = ?";

  private final Connection c;

  PgVersions(Connection connection) {
    this.c = connection;
  }

  @FunctionalInterface
  private interface SqlCall<T> {
    T call() throws SQLException;
  }

  private static <T> T sql(SqlCall<T> call) {
    try {
      return call.call();
    } catch (SQLException e) {
      throw new PgSession.SqlFailure(e);
    }
  }

  /** A row of {@link #COLUMNS}; a missing blob row reads as an empty key. */
  static VersionRow toRow(ResultSet rs) throws SQLException {
    String sha256 = rs.getString(7);
    ArtifactRow state = null;
    if (sha256 != null) {
      String key = rs.getString(15);
      state = new ArtifactRow(0, rs.getString(1), rs.getString(2), rs.getString(3), sha256,
          rs.getLong(8), rs.getString(9), rs.getString(10), rs.getString(11), rs.getLong(12),
          rs.getLong(13), rs.getLong(14), key == null ? "" : key);
    }
    return new VersionRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
        rs.getString(5), rs.getLong(6), state);
  }

  private static void bindArtifact(PreparedStatement s, String diskId, String path, String filename)
      throws SQLException {
    s.setString(1, diskId);
    s.setString(2, path);
    s.setString(3, filename);
  }

  private static List<VersionRow> rows(PreparedStatement s) throws SQLException {
    List<VersionRow> out = new ArrayList<>();
    try (ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        out.add(toRow(rs));
      }
    }
    return out;
  }

  @Override
  public OptionalLong newest(String diskId, String path, String filename) {
    return sql(() -> {
      try (PreparedStatement s =
          c.prepareStatement(
              "SELECT max(v.version) FROM artifact_versions v WHERE" + ARTIFACT)) {
        bindArtifact(s, diskId, path, filename);
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          long newest = rs.getLong(1);
          return rs.wasNull() ? OptionalLong.empty() : OptionalLong.of(newest);
        }
      }
    });
  }

  @Override
  public void insert(VersionRow row) {
    sql(() -> {
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT INTO artifact_versions (disk_id, path, filename, version, change,"
                  + " changed_at, sha256, size, content_type, etag, user_meta, created_at,"
                  + " updated_at, content_modified_at)"
                  + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        bindArtifact(s, row.diskId(), row.path(), row.filename());
        s.setLong(4, row.version());
        s.setString(5, row.change());
        s.setLong(6, row.changedAt());
        ArtifactRow state = row.state();
        if (state == null) {
          for (int i = 7; i <= 14; i++) {
            s.setNull(i, i == 7 || (i >= 9 && i <= 11) ? Types.VARCHAR : Types.BIGINT);
          }
        } else {
          s.setString(7, state.sha256());
          s.setLong(8, state.size());
          s.setString(9, state.contentType());
          s.setString(10, state.etag());
          s.setString(11, state.userMeta());
          s.setLong(12, state.createdAt());
          s.setLong(13, state.updatedAt());
          s.setLong(14, state.contentModifiedAt());
        }
        s.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public Optional<VersionRow> find(String diskId, String path, String filename, long version) {
    return sql(() -> {
      try (PreparedStatement s =
          c.prepareStatement("SELECT " + COLUMNS + FROM + " WHERE" + ARTIFACT
              + " AND v.version = ?")) {
        bindArtifact(s, diskId, path, filename);
        s.setLong(4, version);
        List<VersionRow> found = rows(s);
        return found.isEmpty() ? Optional.empty() : Optional.of(found.get(0));
      }
    });
  }

  @Override
  public List<VersionRow> page(
      String diskId, String path, String filename, long beforeVersion, int limit) {
    return sql(() -> {
      try (PreparedStatement s =
          c.prepareStatement("SELECT " + COLUMNS + FROM + " WHERE" + ARTIFACT
              + " AND v.version < ? ORDER BY v.version DESC LIMIT ?")) {
        bindArtifact(s, diskId, path, filename);
        s.setLong(4, beforeVersion);
        s.setInt(5, limit);
        return rows(s);
      }
    });
  }

  @Override
  public List<VersionRow> deleteBefore(
      String diskId, String path, String filename, long beforeVersion) {
    return sql(() -> {
      List<VersionRow> doomed;
      try (PreparedStatement s =
          c.prepareStatement("SELECT " + COLUMNS + FROM + " WHERE" + ARTIFACT
              + " AND v.version < ?")) {
        bindArtifact(s, diskId, path, filename);
        s.setLong(4, beforeVersion);
        doomed = rows(s);
      }
      try (PreparedStatement s =
          c.prepareStatement(
              "DELETE FROM artifact_versions WHERE disk_id = ? AND path = ? AND filename = ?"
                  + " AND version < ?")) {
        bindArtifact(s, diskId, path, filename);
        s.setLong(4, beforeVersion);
        s.executeUpdate();
      }
      return doomed;
    });
  }

  @Override
  public List<VersionRow> expired(int keepLast, long changedBefore, int limit) {
    return sql(() -> {
      if (keepLast == 0) {
        try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + FROM + " LIMIT ?")) {
          s.setInt(1, limit);
          return rows(s);
        }
      }
      try (PreparedStatement s =
          c.prepareStatement(
              "SELECT " + COLUMNS + FROM
                  + " JOIN (SELECT disk_id, path, filename, max(version) AS newest"
                  + " FROM artifact_versions GROUP BY disk_id, path, filename) n"
                  + " ON n.disk_id = v.disk_id AND n.path = v.path AND n.filename = v.filename"
                  + " WHERE v.version < n.newest"
                  + " AND (v.version <= n.newest - ? OR v.changed_at < ?) LIMIT ?")) {
        s.setLong(1, keepLast);
        s.setLong(2, changedBefore);
        s.setInt(3, limit);
        return rows(s);
      }
    });
  }

  @Override
  public boolean delete(String diskId, String path, String filename, long version) {
    return sql(() -> {
      try (PreparedStatement s =
          c.prepareStatement(
              "DELETE FROM artifact_versions WHERE disk_id = ? AND path = ? AND filename = ?"
                  + " AND version = ?")) {
        bindArtifact(s, diskId, path, filename);
        s.setLong(4, version);
        return s.executeUpdate() > 0;
      }
    });
  }

  @Override
  public Map<String, Integer> blobUses(String diskId) {
    return sql(() -> {
      Map<String, Integer> uses = new HashMap<>();
      try (PreparedStatement s =
          c.prepareStatement(
              "SELECT sha256, count(*) FROM artifact_versions WHERE disk_id = ?"
                  + " AND sha256 IS NOT NULL GROUP BY sha256")) {
        s.setString(1, diskId);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            uses.put(rs.getString(1), rs.getInt(2));
          }
        }
      }
      return uses;
    });
  }

  /** Every version row, for verification. */
  void scan(IndexSession.VersionVisitor visitor) {
    sql(() -> {
      try (PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + FROM);
          ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          VersionRow row = toRow(rs);
          visitor.visit(row, row.state() == null || rs.getString(15) != null);
        }
      }
      return null;
    });
  }
}
