package dev.diskstore.internal;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Helpers of the full-text index ({@code artifact_text}, SQLite FTS5, in {@code text.db}): one row
 * per artifact, written by {@link TextIndexer} after a commit queued it ({@code text_queue}). The body is the text of text files (their first
 * {@link UploadStream#INDEX_BYTES} bytes) or the extracted text of documents once a cacheable
 * parser has extracted it.
 */
final class TextIndex {
  private TextIndex() {}

  /**
   * Strict UTF-8 decoding of a file or, when not {@code complete}, of its prefix (where a
   * multi-byte sequence cut at the end is dropped). Null when the bytes are not text (invalid UTF-8
   * or a NUL character).
   */
  static @Nullable String decodeTextPrefix(byte[] bytes, boolean complete) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CoderResult result = decoder.decode(in, out, complete);
    if (result.isError() || in.remaining() > (complete ? 0 : 3)) {
      return null;
    }
    out.flip();
    String text = out.toString();
    if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
      text = text.substring(1);
    }
    return text.indexOf('\0') >= 0 ? null : text;
  }

  /** Queues an artifact whose text row must be brought up to date (written, moved or gone). */
  static void enqueue(Connection c, long artifactId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("INSERT INTO text_queue (artifact_id) VALUES (?)")) {
      s.setLong(1, artifactId);
      s.executeUpdate();
    }
  }

  /** Queues every artifact of a disk (before the disk's rows go). */
  static void enqueueDisk(Connection c, String diskId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO text_queue (artifact_id) SELECT id FROM artifacts WHERE disk_id = ?"
                + " ORDER BY id")) {
      s.setString(1, diskId);
      s.executeUpdate();
    }
  }

  /** Queues every artifact with these bytes and type (their text was just extracted). */
  static void enqueueBlob(Connection c, String sha256, String contentType) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO text_queue (artifact_id) SELECT id FROM artifacts"
                + " WHERE sha256 = ? AND content_type = ? ORDER BY id")) {
      s.setString(1, sha256);
      s.setString(2, contentType);
      s.executeUpdate();
    }
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

  /**
   * An FTS5 MATCH expression for a user's query that no input can break: every word or "quoted
   * phrase" becomes a quoted FTS string, all of which must occur. Null when the query has no word.
   */
  static @Nullable String matchExpression(String query) {
    List<String> terms = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    boolean inQuotes = false;
    for (int i = 0; i < query.length(); i++) {
      char ch = query.charAt(i);
      if (ch == '"') {
        addTerm(terms, current);
        inQuotes = !inQuotes;
      } else if (!inQuotes && Character.isWhitespace(ch)) {
        addTerm(terms, current);
      } else {
        current.append(ch);
      }
    }
    addTerm(terms, current);
    if (terms.isEmpty()) {
      return null;
    }
    return String.join(" AND ", terms);
  }

  private static void addTerm(List<String> terms, StringBuilder term) {
    String t = term.toString().replace("\0", "").strip();
    term.setLength(0);
    if (t.isEmpty() || t.codePoints().noneMatch(Character::isLetterOrDigit) || terms.size() >= 64) {
      return;
    }
    terms.add("\"" + t.replace("\"", "\"\"") + "\"");
  }
}
