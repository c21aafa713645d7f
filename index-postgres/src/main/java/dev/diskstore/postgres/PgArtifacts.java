package dev.diskstore.postgres;

import dev.diskstore.spi.index.ArtifactRow;
import dev.diskstore.spi.index.DirectoryRow;
import dev.diskstore.spi.index.StoredArtifact;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Artifact rows and their directory counts, on a connection inside the caller's transaction: the
 * PostgreSQL SQL of the SPI's {@code IndexSession.ArtifactRows} (metadata queries are {@link
 * PgQueries}). Every listing is a keyset scan of {@code artifacts (disk_id, path, filename)} or
 * {@code directories (disk_id, parent, name)}: its cost depends on the page, not on the disk.
 * Directories are existence rows, added and removed in one statement per call whatever the depth
 * (not counters: see {@link #addToDirectories}).
 */
final class PgArtifacts {
  private PgArtifacts() {}

  static final String ROW_COLUMNS =
      "a.id, a.disk_id, a.path, a.filename, a.sha256, a.size, a.content_type, a.etag, a.user_meta,"
          + " a.created_at, a.updated_at, a.content_modified_at, b.key";
  static final String FROM = " FROM artifacts a JOIN blobs b ON b.sha256 = a.sha256";

  static ArtifactRow row(ResultSet rs) throws SQLException {
    return new ArtifactRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
        rs.getString(5), rs.getLong(6), rs.getString(7), rs.getString(8), rs.getString(9),
        rs.getLong(10), rs.getLong(11), rs.getLong(12), rs.getString(13));
  }

  static Optional<ArtifactRow> find(Connection c, String diskId, String path, String filename)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("SELECT " + ROW_COLUMNS + FROM
            + " WHERE a.disk_id = ? AND a.path = ? AND a.filename = ?")) {
      s.setString(1, diskId);
      s.setString(2, path);
      s.setString(3, filename);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(row(rs)) : Optional.empty();
      }
    }
  }

  /** Inserts {@code row} (its id ignored) and returns the generated id. */
  static long insert(Connection c, ArtifactRow row, long rowCheck) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO artifacts (disk_id, path, filename, sha256, size, content_type, etag,"
                + " user_meta, created_at, updated_at, content_modified_at, row_check)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id")) {
      s.setString(1, row.diskId());
      s.setString(2, row.path());
      s.setString(3, row.filename());
      bindFields(s, 4, row);
      s.setLong(12, rowCheck);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Overwrites every field of the row {@code row.id()} (its blob key is the blob row's). */
  static void update(Connection c, ArtifactRow row, long rowCheck) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE artifacts SET disk_id = ?, path = ?, filename = ?, sha256 = ?, size = ?,"
                + " content_type = ?, etag = ?, user_meta = ?, created_at = ?, updated_at = ?,"
                + " content_modified_at = ?, row_check = ? WHERE id = ?")) {
      s.setString(1, row.diskId());
      s.setString(2, row.path());
      s.setString(3, row.filename());
      bindFields(s, 4, row);
      s.setLong(12, rowCheck);
      s.setLong(13, row.id());
      s.executeUpdate();
    }
  }

  private static void bindFields(PreparedStatement s, int first, ArtifactRow row) throws SQLException {
    s.setString(first, row.sha256());
    s.setLong(first + 1, row.size());
    s.setString(first + 2, row.contentType());
    s.setString(first + 3, row.etag());
    s.setString(first + 4, row.userMeta());
    s.setLong(first + 5, row.createdAt());
    s.setLong(first + 6, row.updatedAt());
    s.setLong(first + 7, row.contentModifiedAt());
  }

  static void delete(Connection c, long id) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("DELETE FROM artifacts WHERE id = ?")) {
      s.setLong(1, id);
      s.executeUpdate();
    }
  }

  /** How many artifacts of a disk use each blob. */
  static Map<String, Integer> blobUses(Connection c, String diskId) throws SQLException {
    Map<String, Integer> uses = new HashMap<>();
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT sha256, count(*) FROM artifacts WHERE disk_id = ? GROUP BY sha256")) {
      s.setString(1, diskId);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          uses.put(rs.getString(1), rs.getInt(2));
        }
      }
    }
    return uses;
  }

  /**
   * Makes sure each directory has its row; one statement. Directories are <em>existence</em> rows
   * here, not counters: a counter would be one row that every upsert under the directory writes,
   * and under {@code SERIALIZABLE} two transactions writing one row never both commit, so writers
   * of one directory tree on any number of hosts would take turns (seen: four threads upserting
   * into sibling directories exhausted their retries). An existing row is only read; the read
   * (the {@code NOT EXISTS}) is what orders this transaction against one that removes the row
   * (see {@link #removeFromDirectories}). {@code artifact_count} is stored as 1 and means nothing;
   * {@link #directories} computes the counts.
   */
  static void addToDirectories(Connection c, String diskId, List<DirectoryRow> directories)
      throws SQLException {
    if (directories.isEmpty()) {
      return;
    }
    List<String> paths = new ArrayList<>();
    List<String> parents = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (DirectoryRow d : directories) {
      paths.add(d.path());
      parents.add(d.parent());
      names.add(d.name());
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO directories (disk_id, path, parent, name, artifact_count)"
                + " SELECT ?, u.path, u.parent, u.name, 1"
                + " FROM unnest(?::text[], ?::text[], ?::text[]) AS u (path, parent, name)"
                + " WHERE NOT EXISTS"
                + "   (SELECT 1 FROM directories d WHERE d.disk_id = ? AND d.path = u.path)"
                + " ON CONFLICT (disk_id, path) DO NOTHING")) {
      s.setString(1, diskId);
      s.setArray(2, texts(c, paths));
      s.setArray(3, texts(c, parents));
      s.setArray(4, texts(c, names));
      s.setString(5, diskId);
      s.executeUpdate();
    }
  }

  /**
   * Removes those of the directories that no longer contain any artifact, directly or below; one
   * statement. Called after the artifact row was deleted or moved in the same transaction, so the
   * {@code NOT EXISTS} sees the transaction's own change. A concurrent transaction that adds an
   * artifact under one of the directories either wrote its row before this one read the range (and
   * the directory stays), or reads the directory row this one deletes: either way the two read what
   * the other writes, and serializable isolation lets only one of them commit as it is.
   */
  static void removeFromDirectories(Connection c, String diskId, List<String> paths)
      throws SQLException {
    if (paths.isEmpty()) {
      return;
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "DELETE FROM directories d WHERE d.disk_id = ? AND d.path = ANY (?::text[])"
                + " AND NOT EXISTS (SELECT 1 FROM artifacts a WHERE a.disk_id = d.disk_id"
                // every path under d.path lies in [d.path, d.path without its '/' + '0')
                + "   AND a.path >= d.path AND a.path < left(d.path, -1) || '0')")) {
      s.setString(1, diskId);
      s.setArray(2, texts(c, paths));
      s.executeUpdate();
    }
  }

  /** Names of the sub-directories of {@code parent} after {@code afterName}, in name order. */
  static List<String> childDirectories(
      Connection c, String diskId, String parent, String afterName, long limit)
      throws SQLException {
    List<String> names = new ArrayList<>();
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT name FROM directories WHERE disk_id = ? AND parent = ? AND name > ?"
                + " ORDER BY name LIMIT ?")) {
      s.setString(1, diskId);
      s.setString(2, parent);
      s.setString(3, afterName);
      s.setLong(4, limit);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
    }
    return names;
  }

  /** Rows of the directory {@code path} with filenames after {@code afterFilename}, in order. */
  static List<ArtifactRow> inDirectory(
      Connection c, String diskId, String path, String afterFilename, long limit)
      throws SQLException {
    List<ArtifactRow> rows = new ArrayList<>();
    try (PreparedStatement s =
        c.prepareStatement("SELECT " + ROW_COLUMNS + FROM
            + " WHERE a.disk_id = ? AND a.path = ? AND a.filename > ?"
            + " ORDER BY a.filename LIMIT ?")) {
      s.setString(1, diskId);
      s.setString(2, path);
      s.setString(3, afterFilename);
      s.setLong(4, limit);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          rows.add(row(rs));
        }
      }
    }
    return rows;
  }

  /**
   * Visits the rows of a disk with a path in {@code [fromPath, toPath)}, in path and filename
   * order, after {@code (afterPath, afterFilename)} when given, until the visitor returns false.
   * Streams with a cursor (a fetch size), so a scan of a large disk holds one batch in memory.
   */
  static void scan(
      Connection c,
      String diskId,
      String fromPath,
      String toPath,
      @Nullable String afterPath,
      @Nullable String afterFilename,
      Predicate<ArtifactRow> visitor)
      throws SQLException {
    boolean after = afterPath != null;
    try (PreparedStatement s =
        c.prepareStatement("SELECT " + ROW_COLUMNS + FROM
            + " WHERE a.disk_id = ? AND a.path >= ? AND a.path < ?"
            + (after ? " AND (a.path, a.filename) > (?, ?)" : "")
            + " ORDER BY a.path, a.filename")) {
      s.setFetchSize(500);
      s.setString(1, diskId);
      s.setString(2, fromPath);
      s.setString(3, toPath);
      if (after) {
        s.setString(4, afterPath);
        s.setString(5, afterFilename == null ? "" : afterFilename);
      }
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          if (!visitor.test(row(rs))) {
            return;
          }
        }
      }
    }
  }

  /**
   * Every directory row (verification), with the number of artifacts it contains counted from the
   * artifacts (the rows are existence rows; see {@link #addToDirectories}).
   */
  static List<DirectoryRow> directories(Connection c) throws SQLException {
    List<DirectoryRow> out = new ArrayList<>();
    try (PreparedStatement s =
            c.prepareStatement(
                "SELECT d.disk_id, d.path, d.parent, d.name,"
                    + " (SELECT count(*) FROM artifacts a WHERE a.disk_id = d.disk_id"
                    + "   AND a.path >= d.path AND a.path < left(d.path, -1) || '0')"
                    + " FROM directories d");
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        out.add(new DirectoryRow(rs.getString(1), rs.getString(2), rs.getString(3),
            rs.getString(4), rs.getLong(5)));
      }
    }
    return out;
  }

  /** Visits every artifact row as stored (verification), streaming. */
  static void scanAll(Connection c, java.util.function.Consumer<StoredArtifact> visitor)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT a.id, a.disk_id, a.path, a.filename, a.sha256, a.size, a.content_type,"
                + " a.etag, a.user_meta, a.created_at, a.updated_at, a.content_modified_at,"
                + " coalesce(b.key, ''), b.sha256 IS NOT NULL, a.row_check"
                + " FROM artifacts a LEFT JOIN blobs b ON b.sha256 = a.sha256 ORDER BY a.id")) {
      s.setFetchSize(500);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          long check = rs.getLong(15);
          visitor.accept(new StoredArtifact(row(rs), rs.getBoolean(14), rs.wasNull() ? null : check));
        }
      }
    }
  }

  static Array texts(Connection c, List<String> values) throws SQLException {
    return c.createArrayOf("text", values.toArray());
  }
}
