package dev.diskstore.index.sqlite;

import dev.diskstore.StorageException;
import dev.diskstore.spi.index.ArtifactRow;
import dev.diskstore.spi.index.FullTextIndex;
import dev.diskstore.spi.index.TextQueueEntry;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;

/**
 * The SQLite index's full-text documents: an FTS5 table in a database file of its own, kept up to
 * date <em>outside</em> the upsert's durable commit by the core's indexer.
 *
 * <p><b>Why a file of its own.</b> Tokenising text into FTS5 costs about 20 ms per MiB, far more
 * than the rest of an upsert, and in the index database it would hold the single writer lock that
 * every upsert's commit needs. So a commit only appends the artifact's id to {@code text_queue} in
 * the index, and batches apply the queue to the text database, with its own writer lock.
 *
 * <p><b>Exactly once.</b> A batch ({@link #claim}) takes the text database's write lock ({@code
 * BEGIN IMMEDIATE}: one batch at a time across processes), reads its queue entries after the
 * watermark (the last entry applied, stored in the text database) and the artifacts they name from
 * one snapshot of the index, and its acknowledgement stores the new watermark in the same
 * transaction as the documents. The text database is written with {@code synchronous=NORMAL} (a
 * power loss may roll back its last batches with their watermark, so they are simply redone);
 * applied queue entries are deleted from the index only after a checkpoint made them durable.
 *
 * <p><b>Generations: missing or damaged files.</b> The text database is a derived cache, rebuilt
 * from the artifacts when it is missing or damaged. Each build is a <em>generation</em> with a file
 * of its own, {@code text-<generation>.db}; the index names the current one ({@code
 * store_meta.text_generation}). A new generation is made under the index's write lock (so by one
 * process at a time, and only if the generation it replaces is still the current one): its file is
 * created and committed first, then one index transaction queues every artifact again and names
 * the new generation. A damaged file (SQLite reports it corrupt or not a database, at open, while
 * indexing, or to a query) is set aside as {@code text-<generation>.db.damaged-<time>} for
 * inspection. Because every generation has its own file name, a process that still has an older
 * generation open never shares a write-ahead log or shared-memory file with the new one; each batch
 * reads the current generation in the same snapshot as its queue entries, so such a process notices
 * before it applies (or prunes) anything, closes its file, opens the current one and re-attaches it
 * to its read connections. Files of other generations are deleted when a generation is made or
 * found at open. A {@code text.db} left by an earlier version is such a file.
 *
 * <p>Thread-safe: batches, checks and switches are serialised by a lock. Closed by {@link
 * SqliteMetadataIndex}.
 */
final class SqliteFullTextIndex implements FullTextIndex {
  private static final Logger LOG = System.getLogger("dev.diskstore");
  private static final SecureRandom RANDOM = new SecureRandom();
  /** Schema name of the text database on the index's read connections. */
  static final String SCHEMA = "fts";
  private static final int FORMAT = 2;
  /** Applied queue entries are deleted from the index once this many accumulated. */
  private static final long PRUNE_EVERY = 4096;

  private final SqliteIndex index;
  private final Path directory;
  private final Duration busyTimeout;
  /** The current generation's file and connection; guarded by {@link #lock}. */
  private Path file;
  private Connection text;
  private String generation;
  private final ReentrantLock lock = new ReentrantLock();
  private long prunedUpTo;
  /** The watermark last committed by this instance (0: unknown). */
  private long watermark;
  private boolean closed;

  /**
   * Opens (creating, or rebuilding when missing or damaged) the current generation of the text
   * database next to the index and attaches it to the index's read connections as {@value
   * #SCHEMA}.
   */
  SqliteFullTextIndex(SqliteIndex index, Path storeDirectory, Duration busyTimeout) {
    this.index = index;
    this.directory = storeDirectory;
    this.busyTimeout = busyTimeout;
    String current = currentGeneration();
    Connection opened = null;
    boolean damaged = false;
    if (current != null && Files.isRegularFile(fileOf(current))) {
      try {
        opened = openGeneration(current);
      } catch (SQLException e) {
        if (!isDamage(e)) {
          throw SqliteIndex.translate("cannot open the text index " + fileOf(current), e);
        }
        damaged = true;
      }
    }
    if (opened == null) {
      current = newGeneration(current, damaged);
      try {
        opened = openGeneration(current);
      } catch (SQLException e) {
        throw SqliteIndex.translate("cannot open the text index " + fileOf(current), e);
      }
    }
    this.generation = current;
    this.file = fileOf(current);
    this.text = opened;
    try {
      index.attachToReaders(file, SCHEMA);
    } catch (RuntimeException e) {
      closeQuietly(opened);
      throw e;
    }
    deleteOtherGenerations(current);
  }

  /**
   * An FTS5 MATCH expression for the terms of a user's query that no input can break: every term
   * becomes a quoted FTS string, all of which must occur.
   */
  static String matchExpression(List<String> terms) {
    List<String> quoted = new ArrayList<>(terms.size());
    for (String t : terms) {
      quoted.add("\"" + t.replace("\"", "\"\"") + "\"");
    }
    return String.join(" AND ", quoted);
  }

  private Path fileOf(String generation) {
    return directory.resolve("text-" + generation + ".db");
  }

  private @Nullable String currentGeneration() {
    return index.read(c -> SqliteSession.storeMeta(c, "text_generation"));
  }

  private Connection connect(Path path) throws SQLException {
    SQLiteConfig config = new SQLiteConfig();
    config.setJournalMode(SQLiteConfig.JournalMode.WAL);
    config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
    config.setBusyTimeout((int) Math.min(Integer.MAX_VALUE, busyTimeout.toMillis()));
    return StatementCache.wrap(
        DriverManager.getConnection("jdbc:sqlite:" + path.toAbsolutePath(), config.toProperties()),
        32);
  }

  /**
   * Opens an existing generation's file and checks that it is what the index expects (its format
   * and generation); a file that SQLite cannot read as such fails with a damage error ({@link
   * #isDamage}).
   */
  private Connection openGeneration(String generation) throws SQLException {
    Path path = fileOf(generation);
    Connection c = connect(path);
    try (Statement s = c.createStatement()) {
      int format;
      try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
        format = rs.next() ? rs.getInt(1) : 0;
      }
      String inside = null;
      if (format == FORMAT) {
        try (ResultSet rs =
            s.executeQuery("SELECT value FROM text_state WHERE key = 'generation'")) {
          inside = rs.next() ? rs.getString(1) : null;
        }
        // touch the full-text table's structure, so that a file damaged there shows now
        try (ResultSet rs = s.executeQuery("SELECT count(*) FROM artifact_text_data")) {
          rs.next();
        }
      }
      if (format != FORMAT || !generation.equals(inside)) {
        throw new SQLException(
            path + " is not generation " + generation + " of the text index (format " + format
                + ", generation " + inside + ")",
            DAMAGED, 11);
      }
      return c;
    } catch (SQLException | RuntimeException e) {
      closeQuietly(c);
      throw e;
    }
  }

  /** SQL state of a text database that is not what the index expects. */
  private static final String DAMAGED = "DAMAGED";

  /** Whether SQLite reported a file as damaged (corrupt, not a database) rather than busy or full. */
  static boolean isDamage(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.sqlite.SQLiteException sqlite) {
        int code = sqlite.getResultCode().code & 0xff;
        if (code == 11 || code == 26) { // SQLITE_CORRUPT, SQLITE_NOTADB
          return true;
        }
      } else if (t instanceof SQLException sql && DAMAGED.equals(sql.getSQLState())) {
        return true;
      }
    }
    return false;
  }

  /**
   * Makes a new generation unless another process already replaced {@code replacing}: under the
   * index's write lock, creates and commits the new file, queues every artifact again and names
   * the new generation. A damaged file of the replaced generation is set aside. Returns the
   * generation now current.
   */
  private String newGeneration(@Nullable String replacing, boolean damaged) {
    String made = HexFormat.of().formatHex(randomBytes(16));
    String current =
        index.write(
            true,
            c -> {
              String now = SqliteSession.storeMeta(c, "text_generation");
              if (!Objects.equals(now, replacing)) {
                return now; // another process made one meanwhile: use it
              }
              createFile(made);
              try (Statement s = c.createStatement()) {
                s.execute("DELETE FROM text_queue");
                s.execute(
                    "INSERT INTO text_queue (artifact_id) SELECT id FROM artifacts ORDER BY id");
              }
              SqliteSession.putStoreMeta(c, "text_generation", made);
              return made;
            });
    if (current == null) {
      throw new StorageException("no text index generation after making one", false, null);
    }
    if (current.equals(made) && damaged && replacing != null) {
      setAside(replacing);
    }
    if (!current.equals(made)) {
      deleteQuietly(fileOf(made)); // not made after all: another generation was current
    }
    return current;
  }

  /** Creates generation {@code generation}'s file: empty index, watermark 0, durably. */
  private void createFile(String generation) throws SQLException {
    Path path = fileOf(generation);
    deleteQuietly(path);
    try (Connection c = connect(path);
        Statement s = c.createStatement()) {
      s.execute("PRAGMA synchronous = FULL");
      s.execute("BEGIN IMMEDIATE");
      s.execute("CREATE TABLE text_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT");
      // which bytes each text row was made from: a move or rename of a text file then only
      // updates the row's path and name, without reading the bytes again
      s.execute(
          "CREATE TABLE indexed (rowid INTEGER PRIMARY KEY, sha256 TEXT NOT NULL,"
              + " content_type TEXT NOT NULL) STRICT");
      s.execute(
          "CREATE VIRTUAL TABLE artifact_text USING fts5("
              + " path, filename, body,"
              + " tokenize = 'porter unicode61 remove_diacritics 2')");
      s.execute("INSERT INTO text_state (key, value) VALUES ('generation', '" + generation + "')");
      s.execute("INSERT INTO text_state (key, value) VALUES ('watermark', '0')");
      s.execute("PRAGMA user_version = " + FORMAT);
      s.execute("COMMIT");
      s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
    }
  }

  /** Renames a damaged generation's file aside for inspection. Best effort. */
  private void setAside(String generation) {
    String stamp = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC)
        .format(Instant.now());
    Path damaged = fileOf(generation);
    Path aside = damaged.resolveSibling(damaged.getFileName() + ".damaged-" + stamp);
    try {
      Files.move(damaged, aside);
      LOG.log(Level.WARNING,
          "the full-text index " + damaged + " is damaged; set aside as " + aside.getFileName()
              + " and rebuilt from the artifacts");
    } catch (IOException e) {
      LOG.log(Level.WARNING, "the full-text index " + damaged + " is damaged and rebuilt;"
          + " it could not be set aside (" + e + ")");
    }
    deleteQuietly(damaged.resolveSibling(damaged.getFileName() + "-wal"));
    deleteQuietly(damaged.resolveSibling(damaged.getFileName() + "-shm"));
  }

  /** Deletes the files of generations other than {@code current} (and the old {@code text.db}). */
  private void deleteOtherGenerations(String current) {
    String keep = "text-" + current + ".db";
    try (var files = Files.list(directory)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = f.getFileName().toString();
        boolean textFile =
            name.equals("text.db") || name.equals("text.db-wal") || name.equals("text.db-shm")
                || (name.startsWith("text-")
                    && (name.endsWith(".db") || name.endsWith(".db-wal")
                        || name.endsWith(".db-shm")));
        if (textFile && !name.startsWith(keep)) {
          deleteQuietly(f);
        }
      }
    } catch (IOException e) {
      // housekeeping only
    }
  }

  private static void deleteQuietly(Path f) {
    try {
      Files.deleteIfExists(f);
    } catch (IOException ignored) {
      // best effort
    }
  }


  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    RANDOM.nextBytes(b);
    return b;
  }

  /**
   * Moves to the current generation after another process made one, or makes a new one when this
   * one is damaged: closes this file, opens the current one and re-attaches it to the index's read
   * connections. Called with {@link #lock} held.
   */
  private void switchGeneration(boolean damaged) {
    String current = damaged ? newGeneration(generation, true) : currentGeneration();
    if (current == null) {
      current = newGeneration(null, false);
    }
    Connection opened;
    try {
      opened = openGeneration(current);
    } catch (SQLException e) {
      if (!isDamage(e)) {
        throw SqliteIndex.translate("cannot open the text index " + fileOf(current), e);
      }
      current = newGeneration(current, true);
      try {
        opened = openGeneration(current);
      } catch (SQLException again) {
        throw SqliteIndex.translate("cannot open the text index " + fileOf(current), again);
      }
    }
    closeQuietly(text);
    text = opened;
    generation = current;
    file = fileOf(current);
    prunedUpTo = 0;
    watermark = 0;
    index.reattachToReaders(file, SCHEMA);
    deleteOtherGenerations(current);
  }

  /**
   * SQLite's check of the current text database: the lines it reports, empty when the file is
   * sound. Runs on this connection holding the text database's write lock, so that no batch of any
   * process writes meanwhile: FTS5's checksum check, run from another connection while batches
   * commit, reports mismatches that are not there.
   */
  @Override
  public List<String> check(boolean deep) {
    lock.lock();
    try {
      List<String> lines = new ArrayList<>();
      try {
        exec("BEGIN IMMEDIATE");
        try (Statement s = text.createStatement();
            ResultSet rs = s.executeQuery(deep ? "PRAGMA integrity_check" : "PRAGMA quick_check")) {
          while (rs.next()) {
            if (!"ok".equals(rs.getString(1))) {
              lines.add(rs.getString(1));
            }
          }
        } finally {
          rollbackQuietly();
        }
      } catch (SQLException e) {
        if (!isDamage(e)) {
          throw SqliteIndex.translate("cannot check the text index " + file, e);
        }
        lines.add(e.getMessage());
      }
      return lines;
    } finally {
      lock.unlock();
    }
  }

  /** Sets the current text database aside and rebuilds it (a check found it damaged). */
  @Override
  public void rebuild() {
    lock.lock();
    try {
      switchGeneration(true);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean recoverIfDamaged(Throwable found) {
    if (!isDamage(found)) {
      return false;
    }
    rebuild();
    return true;
  }

  /** The index names another generation than the one this instance has open. */
  private static final class GenerationChanged extends RuntimeException {
    private static final long serialVersionUID = 1L;

    GenerationChanged() {
      super(null, null, false, false);
    }
  }

  /**
   * Claims a batch: takes the text database's write lock, then reads the entries after its
   * watermark and their artifacts from one snapshot of the index. Moves to the current generation
   * when another process made one (at most three times in a row), and makes a new one when this
   * file is damaged. The batch holds {@link #lock} until it is closed.
   */
  @Override
  public Optional<TextBatch> claim(int maxEntries, Predicate<ArtifactRow> wantsExtractedText) {
    lock.lock();
    boolean claimed = false;
    try {
      for (int switches = 0; ; switches++) {
        if (closed) {
          throw new dev.diskstore.StoreClosedException();
        }
        try {
          Optional<TextBatch> batch = claimOnce(maxEntries, wantsExtractedText);
          claimed = batch.isPresent();
          if (!claimed) {
            maybePrune(false);
          }
          return batch;
        } catch (GenerationChanged e) {
          if (switches >= 3) {
            throw new StorageException("the text index generation keeps changing", true, null);
          }
          switchGeneration(false);
        } catch (SQLException e) {
          if (!isDamage(e) || switches >= 3) {
            throw SqliteIndex.translate("full-text indexing failed", e);
          }
          switchGeneration(true);
        }
      }
    } finally {
      if (!claimed) {
        lock.unlock();
      }
    }
  }

  private Optional<TextBatch> claimOnce(int maxEntries, Predicate<ArtifactRow> wantsExtractedText)
      throws SQLException {
    exec("BEGIN IMMEDIATE");
    boolean open = false;
    try {
      long mark = Long.parseLong(Objects.requireNonNull(state("watermark")));
      String expected = generation;
      List<TextQueueEntry> entries =
          index.read(
              c -> {
                if (!expected.equals(SqliteSession.storeMeta(c, "text_generation"))) {
                  throw new GenerationChanged();
                }
                List<TextQueueEntry> out = new ArrayList<>();
                try (PreparedStatement s =
                    c.prepareStatement(
                        "SELECT q.seq, q.artifact_id, a.id, a.disk_id, a.path, a.filename,"
                            + " a.sha256, a.size, a.content_type, a.etag, a.user_meta,"
                            + " a.created_at, a.updated_at, a.content_modified_at, b.key"
                            + " FROM text_queue q"
                            + " LEFT JOIN artifacts a ON a.id = q.artifact_id"
                            + " LEFT JOIN blobs b ON b.sha256 = a.sha256"
                            + " WHERE q.seq > ? ORDER BY q.seq LIMIT ?")) {
                  s.setLong(1, mark);
                  s.setInt(2, maxEntries);
                  try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                      ArtifactRow row = null;
                      if (rs.getString(7) != null) {
                        String key = rs.getString(15);
                        row = new ArtifactRow(rs.getLong(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), rs.getString(7), rs.getLong(8), rs.getString(9),
                            rs.getString(10), rs.getString(11), rs.getLong(12), rs.getLong(13),
                            rs.getLong(14), key == null ? "" : key);
                      }
                      out.add(new TextQueueEntry(rs.getLong(1), rs.getLong(2), row, null));
                    }
                  }
                }
                // documents: the text a parser extracted, from the same snapshot
                for (int i = 0; i < out.size(); i++) {
                  TextQueueEntry e = out.get(i);
                  ArtifactRow row = e.artifact();
                  if (row != null && wantsExtractedText.test(row)) {
                    String cached = SqliteSession.cachedText(c, row.sha256(), row.contentType());
                    if (cached != null) {
                      out.set(i, new TextQueueEntry(e.seq(), e.artifactId(), row, cached));
                    }
                  }
                }
                return out;
              });
      if (entries.isEmpty()) {
        return Optional.empty();
      }
      open = true;
      return Optional.of(new Batch(entries));
    } finally {
      if (!open) {
        rollbackQuietly();
      }
    }
  }

  /** A claimed batch: the text database's write transaction, and {@link #lock}. */
  private final class Batch implements TextBatch {
    private final List<TextQueueEntry> entries;
    private boolean done;

    Batch(List<TextQueueEntry> entries) {
      this.entries = List.copyOf(entries);
    }

    @Override
    public List<TextQueueEntry> entries() {
      return entries;
    }

    @Override
    public boolean indexedFrom(long artifactId, String sha256, String contentType) {
      return run(() -> {
        try (PreparedStatement s =
            text.prepareStatement("SELECT sha256, content_type FROM indexed WHERE rowid = ?")) {
          s.setLong(1, artifactId);
          try (ResultSet rs = s.executeQuery()) {
            return rs.next() && rs.getString(1).equals(sha256)
                && rs.getString(2).equals(contentType);
          }
        }
      });
    }

    @Override
    public void put(ArtifactRow artifact, String body) {
      run(() -> {
        deleteRow(artifact.id());
        try (PreparedStatement s =
            text.prepareStatement(
                "INSERT INTO artifact_text (rowid, path, filename, body) VALUES (?, ?, ?, ?)")) {
          s.setLong(1, artifact.id());
          s.setString(2, artifact.path());
          s.setString(3, artifact.filename());
          s.setString(4, body);
          s.executeUpdate();
        }
        try (PreparedStatement s =
            text.prepareStatement(
                "INSERT OR REPLACE INTO indexed (rowid, sha256, content_type) VALUES (?, ?, ?)")) {
          s.setLong(1, artifact.id());
          s.setString(2, artifact.sha256());
          s.setString(3, artifact.contentType());
          s.executeUpdate();
        }
        return null;
      });
    }

    @Override
    public void rename(long artifactId, @Nullable String path, @Nullable String filename) {
      run(() -> {
        try (PreparedStatement s =
            text.prepareStatement(
                "UPDATE artifact_text SET path = ?, filename = ? WHERE rowid = ?")) {
          s.setString(1, path);
          s.setString(2, filename);
          s.setLong(3, artifactId);
          s.executeUpdate();
        }
        return null;
      });
    }

    @Override
    public void delete(long artifactId) {
      run(() -> {
        deleteRow(artifactId);
        return null;
      });
    }

    @Override
    public void acknowledge(long lastSeq) {
      if (done) {
        throw new IllegalStateException("the batch is closed");
      }
      run(() -> {
        setState("watermark", Long.toString(lastSeq));
        exec("COMMIT");
        return null;
      });
      done = true;
      watermark = lastSeq;
      try {
        maybePrune(false);
      } catch (SQLException | RuntimeException e) {
        LOG.log(Level.DEBUG, "could not prune the text queue; retried later", e);
      }
    }

    @Override
    public void close() {
      if (!lock.isHeldByCurrentThread()) {
        return;
      }
      try {
        if (!done) {
          done = true;
          rollbackQuietly();
        }
      } finally {
        lock.unlock();
      }
    }

    private <T> T run(SqlWork<T> work) {
      try {
        return work.run();
      } catch (SQLException e) {
        throw SqliteIndex.translate("full-text indexing failed", e);
      }
    }
  }

  @FunctionalInterface
  private interface SqlWork<T> {
    T run() throws SQLException;
  }

  private void deleteRow(long rowid) throws SQLException {
    try (PreparedStatement s = text.prepareStatement("DELETE FROM artifact_text WHERE rowid = ?")) {
      s.setLong(1, rowid);
      s.executeUpdate();
    }
    try (PreparedStatement s = text.prepareStatement("DELETE FROM indexed WHERE rowid = ?")) {
      s.setLong(1, rowid);
      s.executeUpdate();
    }
  }

  /**
   * Deletes applied entries from the index's queue, once a checkpoint made the text database's
   * batches durable (so a power loss cannot take back text whose queue entries are gone).
   */
  private void maybePrune(boolean force) throws SQLException {
    long mark = watermark;
    if (mark == 0) {
      try (PreparedStatement s =
          text.prepareStatement("SELECT value FROM text_state WHERE key = 'watermark'")) {
        try (ResultSet rs = s.executeQuery()) {
          mark = rs.next() ? Long.parseLong(rs.getString(1)) : 0;
        }
      }
    }
    if (mark <= prunedUpTo || (!force && mark - prunedUpTo < PRUNE_EVERY)) {
      return;
    }
    try (Statement s = text.createStatement()) {
      s.execute("PRAGMA wal_checkpoint(PASSIVE)");
    }
    long upTo = mark;
    String applied = generation;
    index.write(
        false,
        c -> {
          // only what this generation applied: another process may have made a new one
          try (PreparedStatement s =
              c.prepareStatement(
                  "DELETE FROM text_queue WHERE seq <= ? AND (SELECT value FROM store_meta"
                      + " WHERE key = 'text_generation') = ?")) {
            s.setLong(1, upTo);
            s.setString(2, applied);
            s.executeUpdate();
          }
          return null;
        });
    prunedUpTo = upTo;
  }

  private @Nullable String state(String key) throws SQLException {
    try (PreparedStatement s = text.prepareStatement("SELECT value FROM text_state WHERE key = ?")) {
      s.setString(1, key);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private void setState(String key, String value) throws SQLException {
    try (PreparedStatement s =
        text.prepareStatement("INSERT OR REPLACE INTO text_state (key, value) VALUES (?, ?)")) {
      s.setString(1, key);
      s.setString(2, value);
      s.executeUpdate();
    }
  }

  private void exec(String sql) throws SQLException {
    try (PreparedStatement s = text.prepareStatement(sql)) {
      s.execute();
    }
  }

  private void rollbackQuietly() {
    try {
      exec("ROLLBACK");
    } catch (SQLException ignored) {
      // no transaction open, or the connection is unusable: the next statement reports it
    }
  }

  private static void closeQuietly(@Nullable Connection c) {
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (SQLException ignored) {
      // closing; nothing to do
    }
  }

  /**
   * Prunes applied queue entries (best effort) and closes the text database, after the batch in
   * progress. Entries not yet applied stay queued for the next open. Idempotent.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        maybePrune(true);
      } catch (SQLException | RuntimeException e) {
        LOG.log(Level.DEBUG, "could not prune the text queue on close", e);
      }
      closeQuietly(text);
    } finally {
      lock.unlock();
    }
  }
}
