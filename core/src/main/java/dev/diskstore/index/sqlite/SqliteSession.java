package dev.diskstore.index.sqlite;

import dev.diskstore.ContentUnavailable;
import dev.diskstore.spi.ContentParser;
import dev.diskstore.spi.index.ArtifactRow;
import dev.diskstore.spi.index.BlobRow;
import dev.diskstore.spi.index.CachedContent;
import dev.diskstore.spi.index.CompiledQuery;
import dev.diskstore.spi.index.DirectoryRow;
import dev.diskstore.spi.index.DiskRow;
import dev.diskstore.spi.index.IndexSession;
import dev.diskstore.spi.index.OwnerState;
import dev.diskstore.spi.index.QueryPage;
import dev.diskstore.spi.index.StoredArtifact;
import dev.diskstore.spi.index.TextHitRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * {@link IndexSession} on one connection of the SQLite index, inside the transaction {@link
 * SqliteMetadataIndex} opened: every statement of the index but the schema, the transaction control
 * and the text database's. Statements go through the connection's {@link StatementCache}.
 *
 * <p>One instance per transaction, used by its thread only. {@link SQLException}s are thrown out
 * of the work as {@link SqlFailure} and translated by {@link SqliteMetadataIndex}.
 */
final class SqliteSession
    implements IndexSession, IndexSession.ArtifactRows, IndexSession.BlobRows,
        IndexSession.DiskRows, IndexSession.Owners, IndexSession.TextRows,
        IndexSession.Maintenance {
  static final String ROW_COLUMNS =
      "a.id, a.disk_id, a.path, a.filename, a.sha256, a.size, a.content_type, a.etag, a.user_meta,"
          + " a.created_at, a.updated_at, a.content_modified_at, b.key";
  /** {@link #ROW_COLUMNS} without the blob key (an empty string in its place): for listings. */
  private static final String LIST_COLUMNS =
      "a.id, a.disk_id, a.path, a.filename, a.sha256, a.size, a.content_type, a.etag, a.user_meta,"
          + " a.created_at, a.updated_at, a.content_modified_at, ''";
  /**
   * One artifact by its name, without the three columns the caller already has (each text column
   * costs a JNI call and a decode in sqlite-jdbc): a point lookup is the hot path of get.
   */
  private static final String SELECT_ROW =
      "SELECT a.id, a.sha256, a.size, a.content_type, a.etag, a.user_meta, a.created_at,"
          + " a.updated_at, a.content_modified_at, b.key"
          + " FROM artifacts a JOIN blobs b ON b.sha256 = a.sha256"
          + " WHERE a.disk_id = ? AND a.path = ? AND a.filename = ?";

  private final Connection c;
  private @Nullable GarbageRows garbage;
  private @Nullable SqliteVersions versions;

  SqliteSession(Connection connection) {
    this.c = connection;
  }

  /** An {@link SQLException} on its way out of the work, to be translated by the index. */
  static final class SqlFailure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SqlFailure(SQLException cause) {
      super(cause.getMessage(), cause, false, false);
    }

    @Override
    public synchronized SQLException getCause() {
      return (SQLException) super.getCause();
    }
  }

  @FunctionalInterface
  private interface SqlCall<T> {
    T call() throws SQLException;
  }

  private static <T> T sql(SqlCall<T> call) {
    try {
      return call.call();
    } catch (SQLException e) {
      throw new SqlFailure(e);
    }
  }

  @Override public ArtifactRows artifacts() { return this; }
  @Override public BlobRows blobs() { return this; }

  @Override
  public VersionRows versions() {
    SqliteVersions v = versions;
    if (v == null) {
      v = new SqliteVersions(c);
      versions = v;
    }
    return v;
  }

  @Override
  public GarbageRows garbage() {
    GarbageRows g = garbage;
    if (g == null) {
      g = new Garbage();
      garbage = g;
    }
    return g;
  }
  @Override public DiskRows disks() { return this; }
  @Override public Owners owners() { return this; }
  @Override public TextRows text() { return this; }
  @Override public Maintenance maintenance() { return this; }

  // ------------------------------------------------------------------ store_meta

  @Override
  public Optional<String> storeMeta(String key) {
    return Optional.ofNullable(sql(() -> storeMeta(c, key)));
  }

  static @Nullable String storeMeta(Connection c, String key) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT value FROM store_meta WHERE key = ?")) {
      s.setString(1, key);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  @Override
  public void putStoreMeta(String key, String value) {
    sql(() -> {
      putStoreMeta(c, key, value);
      return null;
    });
  }

  static void putStoreMeta(Connection c, String key, String value) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("INSERT OR REPLACE INTO store_meta (key, value) VALUES (?, ?)")) {
      s.setString(1, key);
      s.setString(2, value);
      s.executeUpdate();
    }
  }

  // ------------------------------------------------------------------ artifacts

  static ArtifactRow toRow(ResultSet rs) throws SQLException {
    return new ArtifactRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
        rs.getString(5), rs.getLong(6), rs.getString(7), rs.getString(8), rs.getString(9),
        rs.getLong(10), rs.getLong(11), rs.getLong(12), rs.getString(13));
  }

  @Override
  public Optional<ArtifactRow> find(String diskId, String path, String filename) {
    return sql(() -> {
      try (PreparedStatement s = c.prepareStatement(SELECT_ROW)) {
        s.setString(1, diskId);
        s.setString(2, path);
        s.setString(3, filename);
        try (ResultSet rs = s.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          return Optional.of(new ArtifactRow(rs.getLong(1), diskId, path, filename,
              rs.getString(2), rs.getLong(3), rs.getString(4), rs.getString(5), rs.getString(6),
              rs.getLong(7), rs.getLong(8), rs.getLong(9), rs.getString(10)));
        }
      }
    });
  }

  @Override
  public long insert(ArtifactRow r, long rowCheck) {
    return sql(() -> {
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT INTO artifacts (disk_id, path, filename, sha256, size, content_type, etag,"
                  + " user_meta, created_at, updated_at, content_modified_at, row_check)"
                  + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
        s.setString(1, r.diskId());
        s.setString(2, r.path());
        s.setString(3, r.filename());
        s.setString(4, r.sha256());
        s.setLong(5, r.size());
        s.setString(6, r.contentType());
        s.setString(7, r.etag());
        s.setString(8, r.userMeta());
        s.setLong(9, r.createdAt());
        s.setLong(10, r.updatedAt());
        s.setLong(11, r.contentModifiedAt());
        s.setLong(12, rowCheck);
        s.executeUpdate();
      }
      try (PreparedStatement s = c.prepareStatement("SELECT last_insert_rowid()");
          ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    });
  }

  @Override
  public void update(ArtifactRow r, long rowCheck) {
    sql(() -> {
      try (PreparedStatement s =
          c.prepareStatement(
              "UPDATE artifacts SET path = ?, filename = ?, sha256 = ?, size = ?,"
                  + " content_type = ?, etag = ?, user_meta = ?, created_at = ?, updated_at = ?,"
                  + " content_modified_at = ?, row_check = ? WHERE id = ?")) {
        s.setString(1, r.path());
        s.setString(2, r.filename());
        s.setString(3, r.sha256());
        s.setLong(4, r.size());
        s.setString(5, r.contentType());
        s.setString(6, r.etag());
        s.setString(7, r.userMeta());
        s.setLong(8, r.createdAt());
        s.setLong(9, r.updatedAt());
        s.setLong(10, r.contentModifiedAt());
        s.setLong(11, rowCheck);
        s.setLong(12, r.id());
        s.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public void delete(long id) {
    sql(() -> {
      try (PreparedStatement s = c.prepareStatement("DELETE FROM artifacts WHERE id = ?")) {
        s.setLong(1, id);
        s.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public Map<String, Integer> blobUses(String diskId) {
    return sql(() -> {
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
    });
  }

  @Override
  public void addToDirectories(String diskId, List<DirectoryRow> directories) {
    if (directories.isEmpty()) {
      return;
    }
    sql(() -> {
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT INTO directories (disk_id, path, parent, name, artifact_count)"
                  + " VALUES (?, ?, ?, ?, 1)"
                  + " ON CONFLICT (disk_id, path) DO UPDATE SET artifact_count = artifact_count + 1")) {
        for (DirectoryRow dir : directories) {
          s.setString(1, diskId);
          s.setString(2, dir.path());
          s.setString(3, dir.parent());
          s.setString(4, dir.name());
          s.addBatch();
        }
        s.executeBatch();
      }
      return null;
    });
  }

  @Override
  public void removeFromDirectories(String diskId, List<String> paths) {
    sql(() -> {
      try (PreparedStatement delete =
              c.prepareStatement(
                  "DELETE FROM directories WHERE disk_id = ? AND path = ? AND artifact_count <= 1");
          PreparedStatement decrement =
              c.prepareStatement(
                  "UPDATE directories SET artifact_count = artifact_count - 1"
                      + " WHERE disk_id = ? AND path = ?")) {
        for (String dir : paths) {
          delete.setString(1, diskId);
          delete.setString(2, dir);
          if (delete.executeUpdate() == 0) {
            decrement.setString(1, diskId);
            decrement.setString(2, dir);
            decrement.executeUpdate();
          }
        }
      }
      return null;
    });
  }

  @Override
  public List<String> childDirectories(String diskId, String parent, String afterName, long limit) {
    return sql(() -> {
      List<String> dirs = new ArrayList<>();
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
            dirs.add(rs.getString(1));
          }
        }
      }
      return dirs;
    });
  }

  @Override
  public List<ArtifactRow> inDirectory(
      String diskId, String path, String afterFilename, long limit) {
    return sql(() -> {
      List<ArtifactRow> files = new ArrayList<>();
      try (PreparedStatement s =
          c.prepareStatement(
              // no join with blobs: a listing never reads the bytes, and the blob rows, keyed by
              // random SHA-256s, would cost a page read per listed artifact in a large store
              "SELECT " + LIST_COLUMNS + " FROM artifacts a WHERE a.disk_id = ? AND a.path = ?"
                  + " AND a.filename > ? ORDER BY a.filename LIMIT ?")) {
        s.setString(1, diskId);
        s.setString(2, path);
        s.setString(3, afterFilename);
        s.setLong(4, limit);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            files.add(toRow(rs));
          }
        }
      }
      return files;
    });
  }

  @Override
  public void scan(String diskId, String fromPath, String toPath, @Nullable String afterPath,
      @Nullable String afterFilename, RowVisitor visitor) {
    boolean after = afterPath != null && afterFilename != null;
    sql(() -> {
      try (PreparedStatement s =
          c.prepareStatement(
              "SELECT " + ROW_COLUMNS + " FROM artifacts a JOIN blobs b"
                  + " ON b.sha256 = a.sha256 WHERE a.disk_id = ? AND a.path >= ?"
                  + " AND a.path < ?"
                  + (after ? " AND (a.path, a.filename) > (?, ?)" : "")
                  + " ORDER BY a.path, a.filename")) {
        s.setString(1, diskId);
        s.setString(2, fromPath);
        s.setString(3, toPath);
        if (after) {
          s.setString(4, afterPath);
          s.setString(5, afterFilename);
        }
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            if (!visitor.visit(toRow(rs))) {
              break;
            }
          }
        }
      }
      return null;
    });
  }

  @Override
  public QueryPage query(CompiledQuery query, @Nullable List<String> after, int limit) {
    MetadataQueries.Compiled compiled = MetadataQueries.Compiled.of(query);
    MetadataQueries.Statement statement = compiled.page(after, limit);
    return sql(() -> {
      List<ArtifactRow> rows = new ArrayList<>();
      List<String> lastKey = null;
      try (PreparedStatement s = c.prepareStatement(statement.sql())) {
        statement.bind(s);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            if (rows.size() == limit) {
              return new QueryPage(rows, lastKey);
            }
            rows.add(toRow(rs));
            lastKey = MetadataQueries.readKey(rs, compiled.terms().size());
          }
        }
      }
      return new QueryPage(rows, null);
    });
  }

  // ------------------------------------------------------------------ blobs

  @Override
  public Optional<String> keyOf(String sha256) {
    return sql(() -> {
      try (PreparedStatement s = c.prepareStatement("SELECT key FROM blobs WHERE sha256 = ?")) {
        s.setString(1, sha256);
        try (ResultSet rs = s.executeQuery()) {
          return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
        }
      }
    });
  }

  @Override
  public void insert(String sha256, String key, long size, long nowMicros) {
    sql(() -> {
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT INTO blobs (sha256, key, size, ref_count, created_at) VALUES (?, ?, ?, 1, ?)")) {
        s.setString(1, sha256);
        s.setString(2, key);
        s.setLong(3, size);
        s.setLong(4, nowMicros);
        s.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public void addReference(String sha256) {
    sql(() -> {
      try (PreparedStatement s =
          c.prepareStatement("UPDATE blobs SET ref_count = ref_count + 1 WHERE sha256 = ?")) {
        s.setString(1, sha256);
        s.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public Optional<String> release(String sha256, int count, long nowMicros) {
    return sql(() -> {
      String key;
      int refs;
      try (PreparedStatement s =
          c.prepareStatement("SELECT key, ref_count FROM blobs WHERE sha256 = ?")) {
        s.setString(1, sha256);
        try (ResultSet rs = s.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          key = rs.getString(1);
          refs = rs.getInt(2);
        }
      }
      if (refs <= count) {
        try (PreparedStatement s = c.prepareStatement("DELETE FROM blobs WHERE sha256 = ?")) {
          s.setString(1, sha256);
          s.executeUpdate();
        }
        garbage().add(key, nowMicros);
        return Optional.of(key);
      }
      try (PreparedStatement s =
          c.prepareStatement("UPDATE blobs SET ref_count = ref_count - ? WHERE sha256 = ?")) {
        s.setInt(1, count);
        s.setString(2, sha256);
        s.executeUpdate();
      }
      return Optional.empty();
    });
  }

  @Override
  public boolean any() {
    return sql(() -> {
      try (PreparedStatement s = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM blobs)");
          ResultSet rs = s.executeQuery()) {
        return rs.next() && rs.getInt(1) != 0;
      }
    });
  }

  @Override
  public List<String> someKeys(int limit) {
    return sql(() -> {
      List<String> keys = new ArrayList<>();
      try (PreparedStatement s = c.prepareStatement("SELECT key FROM blobs LIMIT ?")) {
        s.setInt(1, limit);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            keys.add(rs.getString(1));
          }
        }
      }
      return keys;
    });
  }

  @Override
  public List<BlobRow> all() {
    return sql(() -> {
      List<BlobRow> out = new ArrayList<>();
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT sha256, key, size, ref_count FROM blobs")) {
        while (rs.next()) {
          out.add(new BlobRow(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getInt(4)));
        }
      }
      return out;
    });
  }

  /** The garbage table, the legacy pending writes and the "accounted for" question. */
  private final class Garbage implements GarbageRows {
    @Override
    public void add(String key, long nowMicros) {
      sql(() -> {
        try (PreparedStatement s =
            c.prepareStatement("INSERT OR IGNORE INTO garbage (key, created_at) VALUES (?, ?)")) {
          s.setString(1, key);
          s.setLong(2, nowMicros);
          s.executeUpdate();
        }
        return null;
      });
    }

    @Override
    public Set<String> keys() {
      return sql(() -> {
        Set<String> out = new HashSet<>();
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT key FROM garbage")) {
          while (rs.next()) {
            out.add(rs.getString(1));
          }
        }
        return out;
      });
    }

    @Override
    public void remove(Collection<String> keys) {
      deleteKeys("DELETE FROM garbage WHERE key = ?", keys);
    }

    @Override
    public Map<String, String> legacyPendingWrites() {
      return sql(() -> {
        Map<String, String> pending = new HashMap<>();
        try (Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT key, owner FROM pending_writes")) {
          while (rs.next()) {
            pending.put(rs.getString(1), rs.getString(2));
          }
        }
        return pending;
      });
    }

    @Override
    public void removeLegacyPendingWrites(Collection<String> keys) {
      deleteKeys("DELETE FROM pending_writes WHERE key = ?", keys);
    }

    private void deleteKeys(String statement, Collection<String> keys) {
      if (keys.isEmpty()) {
        return;
      }
      sql(() -> {
        try (PreparedStatement s = c.prepareStatement(statement)) {
          for (String key : keys) {
            s.setString(1, key);
            s.addBatch();
          }
          s.executeBatch();
        }
        return null;
      });
    }

    @Override
    public Set<String> accountedFor(Collection<String> keys) {
      return sql(() -> {
        Set<String> out = new HashSet<>();
        try (PreparedStatement blobs = c.prepareStatement("SELECT 1 FROM blobs WHERE key = ?");
            PreparedStatement garbage = c.prepareStatement("SELECT 1 FROM garbage WHERE key = ?");
            PreparedStatement pending =
                c.prepareStatement("SELECT 1 FROM pending_writes WHERE key = ?")) {
          for (String key : keys) {
            if (exists(blobs, key) || exists(garbage, key) || exists(pending, key)) {
              out.add(key);
            }
          }
        }
        return out;
      });
    }
  }

  private static boolean exists(PreparedStatement s, String key) throws SQLException {
    s.setString(1, key);
    try (ResultSet rs = s.executeQuery()) {
      return rs.next();
    }
  }

  @Override
  public Optional<ContentParser.Result> extractedContent(
      String sha256, String contentType, String parserId, int maxChars) {
    return sql(() -> {
      try (PreparedStatement s =
          c.prepareStatement(
              "SELECT type, raw, truncated, reason, detail FROM extracted_content"
                  + " WHERE sha256 = ? AND content_type = ? AND parser = ?"
                  + " AND max_chars = ?")) {
        s.setString(1, sha256);
        s.setString(2, contentType);
        s.setString(3, parserId);
        s.setInt(4, maxChars);
        try (ResultSet rs = s.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          String reason = rs.getString(4);
          if (reason != null) {
            return Optional.of(new ContentParser.Unavailable(
                ContentUnavailable.valueOf(reason), String.valueOf(rs.getString(5))));
          }
          return Optional.of(new ContentParser.Parsed(
              CachedContent.parsed(
                  rs.getString(1), rs.getString(2), rs.getInt(3) != 0, rs.getString(5))));
        }
      }
    });
  }

  @Override
  public boolean putExtractedContent(String sha256, String contentType, String parserId,
      int maxChars, ContentParser.Result result, long nowMicros) {
    return sql(() -> {
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT OR REPLACE INTO extracted_content (sha256, content_type, parser,"
                  + " max_chars, type, raw, truncated, reason, detail, created_at)"
                  + " SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
                  + " WHERE EXISTS (SELECT 1 FROM blobs WHERE sha256 = ?)")) {
        s.setString(1, sha256);
        s.setString(2, contentType);
        s.setString(3, parserId);
        s.setInt(4, maxChars);
        if (result instanceof ContentParser.Parsed p) {
          s.setString(5, p.content().type());
          s.setString(6, p.content().raw());
          s.setInt(7, p.content().truncated() ? 1 : 0);
          s.setString(8, null);
          s.setString(9, CachedContent.detailOf(p.content()));
        } else {
          ContentParser.Unavailable u = (ContentParser.Unavailable) result;
          s.setString(5, null);
          s.setString(6, null);
          s.setInt(7, 0);
          s.setString(8, u.reason().name());
          s.setString(9, u.detail());
        }
        s.setLong(10, nowMicros);
        s.setString(11, sha256);
        return s.executeUpdate() > 0;
      }
    });
  }

  /** Text a cacheable parser extracted earlier from these bytes, if any. */
  static @Nullable String cachedText(Connection c, String sha256, String contentType)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT raw FROM extracted_content WHERE sha256 = ? AND content_type = ?"
                + " AND raw IS NOT NULL ORDER BY max_chars DESC LIMIT 1")) {
      s.setString(1, sha256);
      s.setString(2, contentType);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  // ------------------------------------------------------------------ disks

  private static DiskRow toDisk(ResultSet rs) throws SQLException {
    return new DiskRow(
        rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5));
  }

  @Override
  public void insert(DiskRow disk) {
    sql(() -> {
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT INTO disks (id, user, project, created_at, updated_at)"
                  + " VALUES (?, ?, ?, ?, ?)")) {
        s.setString(1, disk.id());
        s.setString(2, disk.user());
        s.setString(3, disk.project());
        s.setLong(4, disk.createdAt());
        s.setLong(5, disk.updatedAt());
        s.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public Optional<DiskRow> find(String diskId) {
    return sql(() -> {
      try (PreparedStatement s =
          c.prepareStatement("SELECT id, user, project, created_at, updated_at FROM disks WHERE id = ?")) {
        s.setString(1, diskId);
        try (ResultSet rs = s.executeQuery()) {
          return rs.next() ? Optional.of(toDisk(rs)) : Optional.empty();
        }
      }
    });
  }

  @Override
  public boolean exists(String diskId) {
    return sql(() -> {
      try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM disks WHERE id = ?")) {
        s.setString(1, diskId);
        try (ResultSet rs = s.executeQuery()) {
          return rs.next();
        }
      }
    });
  }

  @Override
  public List<DiskRow> page(@Nullable String user, @Nullable String project, boolean descending,
      long afterCreatedAt, @Nullable String afterId, int limit) {
    String cmp = descending ? "<" : ">";
    String order = descending ? "DESC" : "ASC";
    StringBuilder text =
        new StringBuilder(
            "SELECT id, user, project, created_at, updated_at FROM disks WHERE 1 = 1");
    if (user != null) {
      text.append(" AND user = ?");
    }
    if (project != null) {
      text.append(" AND project = ?");
    }
    if (afterId != null) {
      text.append(" AND (created_at ").append(cmp).append(" ? OR (created_at = ? AND id ")
          .append(cmp).append(" ?))");
    }
    text.append(" ORDER BY created_at ").append(order).append(", id ").append(order)
        .append(" LIMIT ?");
    return sql(() -> {
      try (PreparedStatement s = c.prepareStatement(text.toString())) {
        int i = 1;
        if (user != null) {
          s.setString(i++, user);
        }
        if (project != null) {
          s.setString(i++, project);
        }
        if (afterId != null) {
          s.setLong(i++, afterCreatedAt);
          s.setLong(i++, afterCreatedAt);
          s.setString(i++, afterId);
        }
        s.setInt(i, limit);
        List<DiskRow> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            out.add(toDisk(rs));
          }
        }
        return out;
      }
    });
  }

  @Override
  public void delete(String diskId) {
    sql(() -> {
      try (PreparedStatement s = c.prepareStatement("DELETE FROM disks WHERE id = ?")) {
        s.setString(1, diskId);
        s.executeUpdate();
      }
      return null;
    });
  }

  // ------------------------------------------------------------------ owners

  @Override
  public void register(String ownerId, long nowMicros) {
    sql(() -> {
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT INTO owners (id, state, registered_at) VALUES (?, 'alive', ?)")) {
        s.setString(1, ownerId);
        s.setLong(2, nowMicros);
        s.executeUpdate();
      }
      return null;
    });
  }

  private static @Nullable OwnerState parseState(@Nullable String state) {
    if (state == null) {
      return null;
    }
    return "alive".equals(state) ? OwnerState.ALIVE : OwnerState.DEAD;
  }

  @Override
  public Optional<OwnerState> state(String ownerId) {
    return Optional.ofNullable(states(List.of(ownerId)).get(ownerId));
  }

  @Override
  public Map<String, OwnerState> states(Collection<String> ownerIds) {
    return sql(() -> {
      Map<String, OwnerState> states = new HashMap<>();
      try (PreparedStatement s = c.prepareStatement("SELECT state FROM owners WHERE id = ?")) {
        for (String id : ownerIds) {
          s.setString(1, id);
          try (ResultSet rs = s.executeQuery()) {
            if (rs.next()) {
              states.put(id, parseState(rs.getString(1)));
            }
          }
        }
      }
      return states;
    });
  }

  @Override
  public void declareDead(Collection<String> ownerIds, long nowMicros) {
    sql(() -> {
      try (PreparedStatement s =
          c.prepareStatement(
              "UPDATE owners SET state = 'dead', ended_at = ? WHERE id = ? AND state = 'alive'")) {
        for (String id : ownerIds) {
          s.setLong(1, nowMicros);
          s.setString(2, id);
          s.executeUpdate();
        }
      }
      return null;
    });
  }

  @Override
  public int pruneDead(Set<String> named) {
    return sql(() -> {
      List<String> gone = new ArrayList<>();
      try (PreparedStatement s = c.prepareStatement("SELECT id FROM owners WHERE state = 'dead'");
          ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          if (!named.contains(rs.getString(1))) {
            gone.add(rs.getString(1));
          }
        }
      }
      try (PreparedStatement s = c.prepareStatement("DELETE FROM owners WHERE id = ?")) {
        for (String id : gone) {
          s.setString(1, id);
          s.executeUpdate();
        }
      }
      return gone.size();
    });
  }

  // ------------------------------------------------------------------ text

  @Override
  public void enqueue(long artifactId) {
    sql(() -> {
      try (PreparedStatement s =
          c.prepareStatement("INSERT INTO text_queue (artifact_id) VALUES (?)")) {
        s.setLong(1, artifactId);
        s.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public void enqueueDisk(String diskId) {
    sql(() -> {
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT INTO text_queue (artifact_id) SELECT id FROM artifacts WHERE disk_id = ?"
                  + " ORDER BY id")) {
        s.setString(1, diskId);
        s.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public void enqueueBlob(String sha256, String contentType) {
    sql(() -> {
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT INTO text_queue (artifact_id) SELECT id FROM artifacts"
                  + " WHERE sha256 = ? AND content_type = ? ORDER BY id")) {
        s.setString(1, sha256);
        s.setString(2, contentType);
        s.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public List<TextHitRow> search(String diskId, List<String> terms, int limit) {
    String match = SqliteFullTextIndex.matchExpression(terms);
    return sql(() -> {
      List<TextHitRow> out = new ArrayList<>();
      try (PreparedStatement s =
          c.prepareStatement(
              "SELECT " + ROW_COLUMNS + ","
                  + " bm25(artifact_text, 2.0, 4.0, 1.0) AS rank,"
                  + " snippet(artifact_text, -1, '[', ']', '…', 16)"
                  + " FROM " + SqliteFullTextIndex.SCHEMA + ".artifact_text"
                  + " JOIN artifacts a ON a.id = artifact_text.rowid"
                  + " JOIN blobs b ON b.sha256 = a.sha256"
                  + " WHERE artifact_text MATCH ? AND a.disk_id = ?"
                  + " ORDER BY rank, a.path, a.filename LIMIT ?")) {
        s.setString(1, match);
        s.setString(2, diskId);
        s.setInt(3, limit);
        try (ResultSet rs = s.executeQuery()) {
          while (rs.next()) {
            out.add(new TextHitRow(toRow(rs), -rs.getDouble(14), rs.getString(15)));
          }
        }
      }
      return out;
    });
  }

  // ------------------------------------------------------------------ verification scans

  @Override
  public void scanArtifacts(Consumer<StoredArtifact> visitor) {
    sql(() -> {
      try (PreparedStatement s =
              c.prepareStatement(
                  "SELECT a.id, a.disk_id, a.path, a.filename, a.sha256, a.size, a.content_type,"
                      + " a.etag, a.user_meta, a.created_at, a.updated_at, a.content_modified_at,"
                      + " b.key, a.row_check FROM artifacts a LEFT JOIN blobs b"
                      + " ON b.sha256 = a.sha256");
          ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          String key = rs.getString(13);
          long check = rs.getLong(14);
          Long rowCheck = rs.wasNull() ? null : check;
          ArtifactRow row =
              new ArtifactRow(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
                  rs.getString(5), rs.getLong(6), rs.getString(7), rs.getString(8),
                  rs.getString(9), rs.getLong(10), rs.getLong(11), rs.getLong(12),
                  key == null ? "" : key);
          visitor.accept(new StoredArtifact(row, key != null, rowCheck));
        }
      }
      return null;
    });
  }

  @Override
  public List<DirectoryRow> directories() {
    return sql(() -> {
      List<DirectoryRow> out = new ArrayList<>();
      try (Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT disk_id, path, parent, name, artifact_count FROM directories")) {
        while (rs.next()) {
          out.add(new DirectoryRow(rs.getString(1), rs.getString(2), rs.getString(3),
              rs.getString(4), rs.getLong(5)));
        }
      }
      return out;
    });
  }

  @Override
  public void scanVersions(VersionVisitor visitor) {
    ((SqliteVersions) versions()).scan(visitor);
  }
}
