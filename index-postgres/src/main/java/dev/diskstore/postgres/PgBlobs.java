package dev.diskstore.postgres;

import dev.diskstore.spi.index.BlobRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Blob rows, reference counts, garbage keys, legacy pending writes and cached parse results, on a
 * connection inside the caller's transaction: the PostgreSQL SQL of the SPI's {@code
 * IndexSession.BlobRows}. Reference counts change with the artifacts in the same serializable
 * transaction, so concurrent instances never lose a reference; a blob row whose last reference
 * goes is deleted and its key moved to {@code garbage} in the same transaction.
 */
final class PgBlobs {
  private PgBlobs() {}

  /** A cached parse result: Parsed (type, raw, truncated) or Unavailable (reason, detail). */
  record Extracted(
      @Nullable String type,
      @Nullable String raw,
      boolean truncated,
      @Nullable String reason,
      @Nullable String detail) {}

  static Optional<String> keyOf(Connection c, String sha256) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT key FROM blobs WHERE sha256 = ?")) {
      s.setString(1, sha256);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  static void insert(Connection c, String sha256, String key, long size, long nowMicros)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO blobs (sha256, key, size, ref_count, created_at) VALUES (?, ?, ?, 1, ?)")) {
      s.setString(1, sha256);
      s.setString(2, key);
      s.setLong(3, size);
      s.setLong(4, nowMicros);
      s.executeUpdate();
    }
  }

  static void addReference(Connection c, String sha256) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("UPDATE blobs SET ref_count = ref_count + 1 WHERE sha256 = ?")) {
      s.setString(1, sha256);
      s.executeUpdate();
    }
  }

  /**
   * Drops {@code count} references; when none remain, the blob row goes (its cached parse results
   * with it) and its key moves to the garbage, and the key is returned.
   */
  static Optional<String> release(Connection c, String sha256, int count, long nowMicros)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "WITH gone AS (DELETE FROM blobs WHERE sha256 = ? AND ref_count <= ? RETURNING key)"
                + " INSERT INTO garbage (key, created_at) SELECT key, ? FROM gone"
                + " ON CONFLICT (key) DO NOTHING RETURNING key")) {
      s.setString(1, sha256);
      s.setInt(2, count);
      s.setLong(3, nowMicros);
      try (ResultSet rs = s.executeQuery()) {
        if (rs.next()) {
          return Optional.of(rs.getString(1));
        }
      }
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE blobs SET ref_count = ref_count - ? WHERE sha256 = ? AND ref_count > ?")) {
      s.setInt(1, count);
      s.setString(2, sha256);
      s.setInt(3, count);
      s.executeUpdate();
    }
    return Optional.empty();
  }

  static boolean any(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM blobs)");
        ResultSet rs = s.executeQuery()) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  static List<String> someKeys(Connection c, int limit) throws SQLException {
    return strings(c, "SELECT key FROM blobs LIMIT " + Math.max(0, limit));
  }

  static List<BlobRow> all(Connection c) throws SQLException {
    List<BlobRow> out = new ArrayList<>();
    try (PreparedStatement s =
        c.prepareStatement("SELECT sha256, key, size, ref_count FROM blobs")) {
      s.setFetchSize(1_000);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(new BlobRow(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getInt(4)));
        }
      }
    }
    return out;
  }

  /** Adds a key to the garbage; idempotent. */
  static void addGarbage(Connection c, String key, long nowMicros) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO garbage (key, created_at) VALUES (?, ?) ON CONFLICT (key) DO NOTHING")) {
      s.setString(1, key);
      s.setLong(2, nowMicros);
      s.executeUpdate();
    }
  }

  static Set<String> garbage(Connection c) throws SQLException {
    return new HashSet<>(strings(c, "SELECT key FROM garbage"));
  }

  static void removeGarbage(Connection c, Collection<String> keys) throws SQLException {
    deleteKeys(c, "DELETE FROM garbage WHERE key = ANY (?::text[])", keys);
  }

  static Map<String, String> legacyPendingWrites(Connection c) throws SQLException {
    Map<String, String> out = new HashMap<>();
    try (PreparedStatement s = c.prepareStatement("SELECT key, owner FROM pending_writes");
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getString(2));
      }
    }
    return out;
  }

  static void removeLegacyPendingWrites(Connection c, Collection<String> keys)
      throws SQLException {
    deleteKeys(c, "DELETE FROM pending_writes WHERE key = ANY (?::text[])", keys);
  }

  /** The keys among {@code keys} that a blob row, the garbage or a pending write accounts for. */
  static Set<String> accountedFor(Connection c, Collection<String> keys) throws SQLException {
    Set<String> out = new HashSet<>();
    if (keys.isEmpty()) {
      return out;
    }
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT k FROM unnest(?::text[]) AS u (k) WHERE"
                + " EXISTS (SELECT 1 FROM blobs WHERE key = u.k COLLATE \"C\")"
                + " OR EXISTS (SELECT 1 FROM garbage WHERE key = u.k COLLATE \"C\")"
                + " OR EXISTS (SELECT 1 FROM pending_writes WHERE key = u.k COLLATE \"C\")")) {
      s.setArray(1, PgArtifacts.texts(c, List.copyOf(keys)));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  static Optional<Extracted> extractedContent(
      Connection c, String sha256, String contentType, String parserId, int maxChars)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT type, raw, truncated, reason, detail FROM extracted_content"
                + " WHERE sha256 = ? AND content_type = ? AND parser = ? AND max_chars = ?")) {
      s.setString(1, sha256);
      s.setString(2, contentType);
      s.setString(3, parserId);
      s.setInt(4, maxChars);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next()
            ? Optional.of(new Extracted(rs.getString(1), rs.getString(2), rs.getBoolean(3),
                rs.getString(4), rs.getString(5)))
            : Optional.empty();
      }
    }
  }

  /** Caches a parse result unless the blob is gone; returns whether it was stored. */
  static boolean putExtractedContent(
      Connection c,
      String sha256,
      String contentType,
      String parserId,
      int maxChars,
      Extracted result,
      long nowMicros)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO extracted_content AS e (sha256, content_type, parser, max_chars, type,"
                + " raw, truncated, reason, detail, created_at)"
                + " SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?"
                + " WHERE EXISTS (SELECT 1 FROM blobs WHERE sha256 = ?)"
                + " ON CONFLICT (sha256, content_type, parser, max_chars) DO UPDATE SET"
                + " type = excluded.type, raw = excluded.raw, truncated = excluded.truncated,"
                + " reason = excluded.reason, detail = excluded.detail,"
                + " created_at = excluded.created_at")) {
      s.setString(1, sha256);
      s.setString(2, contentType);
      s.setString(3, parserId);
      s.setInt(4, maxChars);
      s.setString(5, result.type());
      s.setString(6, result.raw());
      s.setBoolean(7, result.truncated());
      s.setString(8, result.reason());
      s.setString(9, result.detail());
      s.setLong(10, nowMicros);
      s.setString(11, sha256);
      return s.executeUpdate() > 0;
    }
  }

  /** The longest cached extracted text of these bytes (for the full-text body). */
  static Optional<String> extractedText(Connection c, String sha256, String contentType)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT raw FROM extracted_content WHERE sha256 = ? AND content_type = ?"
                + " AND raw IS NOT NULL ORDER BY max_chars DESC LIMIT 1")) {
      s.setString(1, sha256);
      s.setString(2, contentType);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  private static List<String> strings(Connection c, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setFetchSize(1_000);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
    }
    return out;
  }

  private static void deleteKeys(Connection c, String sql, Collection<String> keys)
      throws SQLException {
    if (keys.isEmpty()) {
      return;
    }
    try (PreparedStatement s = c.prepareStatement(sql)) {
      s.setArray(1, PgArtifacts.texts(c, List.copyOf(keys)));
      s.executeUpdate();
    }
  }
}
