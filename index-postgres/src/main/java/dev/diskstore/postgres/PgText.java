package dev.diskstore.postgres;

import dev.diskstore.spi.index.ArtifactRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The full-text queue and documents, on a connection inside the caller's transaction.
 *
 * <p><b>Words.</b> SQLite's FTS5 ({@code unicode61 remove_diacritics 2}, porter) splits text at
 * every character that is not a letter or digit and folds diacritics. PostgreSQL's parser instead
 * recognises file paths, URLs, e-mail addresses and host names as single tokens, so {@code
 * /plans/roadmap.txt} would be one lexeme. {@link #words} therefore reduces paths, filenames,
 * bodies and query terms alike, in Java (Unicode-exact, whatever the server's locale): letters and
 * digits kept, diacritics removed, everything else a space. The text search configuration {@code
 * text_config} then stems English words without a stop-word list. Snippets are cut from the
 * words of filename and path and the body as given.
 *
 * <p><b>Ranking.</b> {@code ts_rank} with weights filename 1.0, path 0.5, body 0.25 (the ratio of
 * SQLite's bm25 weights 4 : 2 : 1); ties by path and filename.
 */
final class PgText {
  /** ts_rank weights {D, C, B, A}: body, unused, path, filename. */
  private static final String WEIGHTS = "'{0.25, 0, 0.5, 1.0}'";
  private static final String HEADLINE_OPTIONS =
      "StartSel=[, StopSel=], MaxWords=16, MinWords=6, MaxFragments=1, FragmentDelimiter=…";

  private PgText() {}

  /** Searchable words of {@code text}: see the class comment. */
  static String words(String text) {
    String folded = Normalizer.normalize(text, Normalizer.Form.NFKD);
    StringBuilder out = new StringBuilder(folded.length());
    boolean space = true;
    for (int i = 0; i < folded.length(); ) {
      int cp = folded.codePointAt(i);
      i += Character.charCount(cp);
      int type = Character.getType(cp);
      if (type == Character.NON_SPACING_MARK || type == Character.ENCLOSING_MARK
          || type == Character.COMBINING_SPACING_MARK) {
        continue; // a diacritic
      }
      if (Character.isLetterOrDigit(cp)) {
        out.appendCodePoint(cp);
        space = false;
      } else if (!space) {
        out.append(' ');
        space = true;
      }
    }
    return out.toString().strip();
  }

  static void enqueue(Connection c, long artifactId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("INSERT INTO text_queue (artifact_id) VALUES (?)")) {
      s.setLong(1, artifactId);
      s.executeUpdate();
    }
  }

  static void enqueueDisk(Connection c, String diskId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO text_queue (artifact_id) SELECT id FROM artifacts WHERE disk_id = ?"
                + " ORDER BY id")) {
      s.setString(1, diskId);
      s.executeUpdate();
    }
  }

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

  /** A hit: the row, its score (higher is better) and a snippet. */
  record Hit(ArtifactRow row, double score, String snippet) {}

  /**
   * Artifacts of a disk whose documents contain every term (each term a word or a phrase: its
   * words in order), best first. Terms without a letter or digit are ignored; none left, no hits.
   */
  static List<Hit> search(Connection c, String diskId, List<String> terms, int limit)
      throws SQLException {
    List<String> phrases = new ArrayList<>();
    for (String term : terms) {
      String w = words(term);
      if (!w.isEmpty()) {
        phrases.add(w);
      }
    }
    List<Hit> out = new ArrayList<>();
    if (phrases.isEmpty()) {
      return out;
    }
    StringBuilder query = new StringBuilder();
    for (int i = 0; i < phrases.size(); i++) {
      query.append(i == 0 ? "" : " && ").append("phraseto_tsquery('text_config', ?)");
    }
    // The ranking query reads only the index and the documents; snippets are cut for the page.
    String sql =
        "WITH q AS (SELECT " + query + " AS query),"
            + " ranked AS (SELECT t.artifact_id, ts_rank(" + WEIGHTS + ", t.document, q.query)"
            + "   AS score, t.filename_words, t.path_words, t.body"
            + "   FROM q, artifact_text t JOIN artifacts a0 ON a0.id = t.artifact_id"
            + "   WHERE t.document @@ q.query AND a0.disk_id = ?)"
            + " SELECT " + PgArtifacts.ROW_COLUMNS + ", r.score,"
            + " ts_headline('text_config', r.filename_words || ' ' || r.path_words || E'\\n'"
            + "   || r.body, q.query, '" + HEADLINE_OPTIONS + "')"
            + " FROM ranked r CROSS JOIN q JOIN artifacts a ON a.id = r.artifact_id"
            + " JOIN blobs b ON b.sha256 = a.sha256"
            + " ORDER BY r.score DESC, a.path, a.filename LIMIT ?";
    try (PreparedStatement s = c.prepareStatement(sql)) {
      int i = 1;
      for (String phrase : phrases) {
        s.setString(i++, phrase);
      }
      s.setString(i++, diskId);
      s.setInt(i, limit);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          out.add(new Hit(PgArtifacts.row(rs), rs.getDouble(14), rs.getString(15)));
        }
      }
    }
    return out;
  }

  /** A claimed queue entry with its artifact as of the claim (null when gone). */
  record Entry(long seq, long artifactId, @Nullable ArtifactRow artifact) {}

  /**
   * Claims up to {@code max} of the oldest queue entries with their artifacts, locking them ({@code
   * FOR UPDATE SKIP LOCKED}) until the caller's transaction ends.
   */
  static List<Entry> claim(Connection c, int max) throws SQLException {
    List<Entry> out = new ArrayList<>();
    try (PreparedStatement s =
        c.prepareStatement(
            "WITH claimed AS (SELECT seq, artifact_id FROM text_queue ORDER BY seq LIMIT ?"
                + "   FOR UPDATE SKIP LOCKED)"
                + " SELECT q.seq, q.artifact_id, a.id, a.disk_id, a.path, a.filename, a.sha256,"
                + " a.size, a.content_type, a.etag, a.user_meta, a.created_at, a.updated_at,"
                + " a.content_modified_at, b.key"
                + " FROM claimed q LEFT JOIN artifacts a ON a.id = q.artifact_id"
                + " LEFT JOIN blobs b ON b.sha256 = a.sha256 ORDER BY q.seq")) {
      s.setInt(1, max);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          ArtifactRow row = null;
          if (rs.getString(4) != null) {
            String key = rs.getString(15);
            row = new ArtifactRow(rs.getLong(3), rs.getString(4), rs.getString(5),
                rs.getString(6), rs.getString(7), rs.getLong(8), rs.getString(9),
                rs.getString(10), rs.getString(11), rs.getLong(12), rs.getLong(13),
                rs.getLong(14), key == null ? "" : key);
          }
          out.add(new Entry(rs.getLong(1), rs.getLong(2), row));
        }
      }
    }
    return out;
  }

  static boolean indexedFrom(Connection c, long artifactId, String sha256, String contentType)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT 1 FROM artifact_text WHERE artifact_id = ? AND sha256 = ?"
                + " AND content_type = ?")) {
      s.setLong(1, artifactId);
      s.setString(2, sha256);
      s.setString(3, contentType);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** Stores (replaces) the document of an artifact. */
  static void put(Connection c, ArtifactRow artifact, String body) throws SQLException {
    // NUL cannot be stored in PostgreSQL text; the core never gives text with NUL, but be safe
    String clean = body.indexOf('\0') >= 0 ? body.replace('\0', ' ') : body;
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO artifact_text AS t (artifact_id, path_words, filename_words, body, sha256,"
                + " content_type, document) VALUES (?, ?, ?, ?, ?, ?, text_document(?, ?, ?))"
                + " ON CONFLICT (artifact_id) DO UPDATE SET path_words = excluded.path_words,"
                + " filename_words = excluded.filename_words, body = excluded.body,"
                + " sha256 = excluded.sha256, content_type = excluded.content_type,"
                + " document = excluded.document")) {
      String path = words(artifact.path());
      String filename = words(artifact.filename());
      s.setLong(1, artifact.id());
      s.setString(2, path);
      s.setString(3, filename);
      s.setString(4, clean);
      s.setString(5, artifact.sha256());
      s.setString(6, artifact.contentType());
      s.setString(7, filename);
      s.setString(8, path);
      s.setString(9, words(clean));
      s.executeUpdate();
    }
  }

  /** Changes the path and filename of an existing document (null: unchanged). */
  static void rename(
      Connection c, long artifactId, @Nullable String path, @Nullable String filename)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "UPDATE artifact_text SET path_words = coalesce(?, path_words),"
                + " filename_words = coalesce(?, filename_words),"
                // the body's part of the vector (weight D) is kept as it is
                + " document = setweight(to_tsvector('text_config', coalesce(?, filename_words)), 'A')"
                + "   || setweight(to_tsvector('text_config', coalesce(?, path_words)), 'B')"
                + "   || ts_filter(document, '{d}')"
                + " WHERE artifact_id = ?")) {
      String p = path == null ? null : words(path);
      String f = filename == null ? null : words(filename);
      s.setString(1, p);
      s.setString(2, f);
      s.setString(3, f);
      s.setString(4, p);
      s.setLong(5, artifactId);
      s.executeUpdate();
    }
  }

  static void delete(Connection c, long artifactId) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement("DELETE FROM artifact_text WHERE artifact_id = ?")) {
      s.setLong(1, artifactId);
      s.executeUpdate();
    }
  }

  /** Removes the claimed entries up to {@code lastSeq} from the queue. */
  static void acknowledge(Connection c, List<Long> seqs) throws SQLException {
    if (seqs.isEmpty()) {
      return;
    }
    try (PreparedStatement s =
        c.prepareStatement("DELETE FROM text_queue WHERE seq = ANY (?::bigint[])")) {
      s.setArray(1, c.createArrayOf("bigint", seqs.toArray()));
      s.executeUpdate();
    }
  }

  /** Drops every document and queues every artifact again (a rebuild). */
  static void requeueAll(Connection c) throws SQLException {
    PgTransactions.execute(c, "DELETE FROM artifact_text");
    PgTransactions.execute(c, "DELETE FROM text_queue");
    PgTransactions.execute(c,
        "INSERT INTO text_queue (artifact_id) SELECT id FROM artifacts ORDER BY id");
  }
}
