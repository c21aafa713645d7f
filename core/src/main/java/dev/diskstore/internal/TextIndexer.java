package dev.diskstore.internal;

import dev.diskstore.ByteRange;
import dev.diskstore.StorageException;
import dev.diskstore.spi.BlobNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;
import org.sqlite.SQLiteConfig;

/**
 * The full-text index: an FTS5 table in a database file of its own ({@code text.db}), kept up to
 * date <em>outside</em> the upsert's durable commit.
 *
 * <p><b>Why.</b> Tokenising text into FTS5 costs about 20 ms per MiB, far more than the rest of an
 * upsert, and in the index database it would hold the single writer lock that every upsert's
 * commit needs. So an upsert's commit only appends the artifact's id to {@code text_queue} in the
 * index (one small row in the same transaction as the artifact row, so the queue survives any
 * crash), and this indexer applies the queue to {@code text.db} — a separate file with its own
 * writer lock, so indexing never delays a commit:
 *
 * <ul>
 *   <li>in the background, shortly after writes (one daemon thread per store), in batches of at
 *       most {@value #MAX_BATCH_ITEMS} queue entries or about {@value #MAX_BATCH_CHARS} characters;
 *   <li>synchronously before every full-text query ({@link #catchUp()}), so a query sees every
 *       write that returned before it started.
 * </ul>
 *
 * <p><b>Consistency.</b> Queue entries have increasing sequence numbers; {@code text.db} stores the
 * last one applied (its watermark) in the same transaction as the text rows, so a batch is applied
 * exactly once however processes and crashes interleave (the text database's write lock
 * serialises indexers of all processes). A batch reads its entries and the artifacts they name
 * from one snapshot of the index and makes each artifact's text row match that snapshot (current
 * path, name and bytes, or no row if the artifact is gone); a later change has a later entry.
 * Queries join the artifacts table, so they never return an artifact that no longer exists.
 * {@code text.db} is written with {@code synchronous=NORMAL} (a power loss may roll back its last
 * batches, together with their watermark, so they are simply redone); applied queue entries are
 * deleted from the index only after a checkpoint made them durable.
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
 * found at open (harmless to a process that still has one open: it only reads its unlinked copy
 * until its next batch). A {@code text.db} left by an earlier version is such a file.
 *
 * <p><b>Text.</b> A text file's text is decoded here, on the indexer's thread, from the bytes the
 * upsert kept while they are still in memory (a bounded hint cache), otherwise from the first {@link UploadStream#INDEX_BYTES} bytes of
 * its blob; a document's text comes from the extracted-content cache once a parser filled it. A
 * blob that the backend cannot serve right now stops the batch before it (retried later); a blob
 * that is gone while the index still references it is indexed without body and logged
 * ({@code verify()} reports the missing blob).
 *
 * <p>Thread-safe. {@link #close()} stops the thread after its current batch and closes the text
 * database; entries not yet applied stay queued for the next open.
 */
final class TextIndexer implements AutoCloseable {
  /** Schema name of {@code text.db} on the index's read connections. */
  static final String SCHEMA = "fts";
  static final int MAX_BATCH_ITEMS = 256;
  static final int MAX_BATCH_CHARS = 1 << 20;
  private static final int FORMAT = 2;
  /** How long the background thread waits after a signal, to gather writes into one batch. */
  private static final long GATHER_MILLIS = 5;
  /** Applied queue entries are deleted from the index once this many accumulated. */
  private static final long PRUNE_EVERY = 4096;
  private static final int MAX_HINTS = 256;
  private static final long MAX_HINT_BYTES = 16L << 20;

  private final Engine engine;
  private final Path directory;
  private final Duration busyTimeout;
  /** The current generation's file and connection; guarded by {@link #batchLock} once started. */
  private Path file;
  private Connection text;
  private String generation;
  /** Guards {@link #text} and the batch logic within this store. */
  private final ReentrantLock batchLock = new ReentrantLock();
  private final ReentrantLock signalLock = new ReentrantLock();
  private final Condition signalled = signalLock.newCondition();
  private boolean signal;
  private volatile boolean closed;
  private final Thread thread;
  private long prunedUpTo;

  /** Text recent upserts already decoded, by artifact id: saves reading it back. */
  private final LinkedHashMap<Long, Hint> hints = new LinkedHashMap<>();
  private long hintBytes;

  /** The first {@link UploadStream#INDEX_BYTES} bytes of an upload, and whether that is all. */
  private record Hint(String sha256, byte[] prefix, boolean complete) {}

  /** One queue entry with the state of its artifact in the batch's snapshot. */
  private record Entry(
      long seq, long id, @Nullable String path, @Nullable String filename,
      @Nullable String sha256, @Nullable String contentType, @Nullable String key, long size,
      @Nullable String cachedText) {}

  /**
   * Opens (creating, or rebuilding when missing or damaged) the current generation of the text
   * database next to the index and attaches it to the index's read connections as {@value
   * #SCHEMA}.
   */
  TextIndexer(Engine engine, Path storeDirectory, Duration busyTimeout) {
    this.engine = engine;
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
      engine.index.attachToReaders(file, SCHEMA);
    } catch (RuntimeException e) {
      closeQuietly(opened);
      throw e;
    }
    deleteOtherGenerations(current);
    this.thread = new Thread(this::runBackground, "diskstore-text-indexer");
    thread.setDaemon(true);
  }

  private Path fileOf(String generation) {
    return directory.resolve("text-" + generation + ".db");
  }

  private @Nullable String currentGeneration() {
    return engine.index.read(c -> StoreIdentity.storeMeta(c, "text_generation"));
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
    String made = Engine.randomHex(16);
    String current =
        engine.index.write(
            true,
            c -> {
              String now = StoreIdentity.storeMeta(c, "text_generation");
              if (!Objects.equals(now, replacing)) {
                return now; // another process made one meanwhile: use it
              }
              createFile(made);
              try (Statement s = c.createStatement()) {
                s.execute("DELETE FROM text_queue");
                s.execute(
                    "INSERT INTO text_queue (artifact_id) SELECT id FROM artifacts ORDER BY id");
              }
              StoreIdentity.putStoreMeta(c, "text_generation", made);
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
      Engine.LOG.log(Level.WARNING,
          "the full-text index " + damaged + " is damaged; set aside as " + aside.getFileName()
              + " and rebuilt from the artifacts");
    } catch (IOException e) {
      Engine.LOG.log(Level.WARNING, "the full-text index " + damaged + " is damaged and rebuilt;"
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

  /**
   * Moves to the current generation after another process made one, or makes a new one when this
   * one is damaged: closes this file, opens the current one and re-attaches it to the index's read
   * connections. Called with {@link #batchLock} held.
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
    engine.index.reattachToReaders(file, SCHEMA);
    deleteOtherGenerations(current);
  }

  /**
   * Sets the text database aside and rebuilds it when {@code found} says it is damaged, for a
   * caller that met the damage (a full-text query). Returns whether it was damaged.
   */
  /**
   * SQLite's check of the current text database: the lines it reports, empty when the file is
   * sound. Runs on the indexer's own connection holding the text database's write lock, so that no
   * batch of any process writes meanwhile: FTS5's checksum check, run from another connection while
   * batches commit, reports mismatches that are not there.
   */
  List<String> check(boolean deep) {
    batchLock.lock();
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
      batchLock.unlock();
    }
  }

  /** Sets the current text database aside and rebuilds it (a check found it damaged). */
  void rebuildDamaged() {
    batchLock.lock();
    try {
      switchGeneration(true);
    } finally {
      batchLock.unlock();
    }
  }

  boolean recoverIfDamaged(Throwable found) {
    if (!isDamage(found)) {
      return false;
    }
    rebuildDamaged();
    return true;
  }

  /** Starts the background thread; it first applies whatever an earlier run left queued. */
  void start() {
    thread.start();
    wake();
  }

  /**
   * Tells the indexer that {@code id} was queued by a commit that just returned, with the kept
   * prefix of its bytes if it is a text file ({@code prefix} is then owned by the indexer; null
   * otherwise) and whether the prefix is the whole file.
   */
  void queued(long id, String sha256, byte @Nullable [] prefix, boolean complete) {
    if (prefix != null && prefix.length <= MAX_HINT_BYTES / 4) {
      synchronized (hints) {
        Hint old = hints.put(id, new Hint(sha256, prefix, complete));
        hintBytes += prefix.length - (old == null ? 0 : old.prefix().length);
        var it = hints.values().iterator();
        while ((hints.size() > MAX_HINTS || hintBytes > MAX_HINT_BYTES) && it.hasNext()) {
          hintBytes -= it.next().prefix().length;
          it.remove();
        }
      }
    }
    wake();
  }

  /** Asks the background thread to apply the queue soon. */
  void wake() {
    signalLock.lock();
    try {
      signal = true;
      signalled.signal();
    } finally {
      signalLock.unlock();
    }
  }

  /**
   * Applies everything queued, on the calling thread. Best effort: when the text index cannot be
   * written (a read-only or full disk, a backend that cannot serve a text right now), it logs and
   * returns, and the caller's query sees the text index as of the last applied batch.
   */
  void catchUp() {
    try {
      drain();
    } catch (RuntimeException e) {
      Engine.LOG.log(Level.WARNING, "full-text indexing failed; searching the index as it is", e);
    }
  }

  private void runBackground() {
    while (!closed) {
      signalLock.lock();
      try {
        while (!signal && !closed) {
          signalled.await();
        }
        signal = false;
      } catch (InterruptedException e) {
        return;
      } finally {
        signalLock.unlock();
      }
      try {
        TimeUnit.MILLISECONDS.sleep(GATHER_MILLIS);
        drain();
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        if (!closed) {
          Engine.LOG.log(Level.WARNING, "background full-text indexing failed; retried later", e);
        }
      }
    }
  }

  /**
   * Applies batches until the queue is empty or a batch cannot make progress; moves to the current
   * generation when another process made one, and makes a new one when this file is damaged.
   */
  private void drain() {
    batchLock.lock();
    try {
      for (int switches = 0; ; switches++) {
        try {
          while (!closed) {
            if (!applyBatch()) {
              break;
            }
          }
          maybePrune(false);
          return;
        } catch (GenerationChanged e) {
          if (switches >= 3) {
            throw new StorageException("the text index generation keeps changing", true, null);
          }
          switchGeneration(false);
        } catch (SQLException e) {
          if (!isDamage(e) || switches >= 3 || closed) {
            throw SqliteIndex.translate("full-text indexing failed", e);
          }
          switchGeneration(true);
        }
      }
    } finally {
      batchLock.unlock();
    }
  }

  /** The index names another generation than the one this indexer has open. */
  private static final class GenerationChanged extends RuntimeException {
    private static final long serialVersionUID = 1L;

    GenerationChanged() {
      super(null, null, false, false);
    }
  }

  /** Applies one batch; whether it applied anything (and more may be queued). */
  private boolean applyBatch() throws SQLException {
    exec("BEGIN IMMEDIATE");
    boolean committed = false;
    try {
      long watermark = Long.parseLong(state("watermark"));
      List<Entry> entries =
          engine.index.read(
              c -> {
                if (!generation.equals(StoreIdentity.storeMeta(c, "text_generation"))) {
                  throw new GenerationChanged();
                }
                List<Entry> out = new ArrayList<>();
                try (PreparedStatement s =
                    c.prepareStatement(
                        "SELECT q.seq, q.artifact_id, a.path, a.filename, a.sha256,"
                            + " a.content_type, b.key, a.size FROM text_queue q"
                            + " LEFT JOIN artifacts a ON a.id = q.artifact_id"
                            + " LEFT JOIN blobs b ON b.sha256 = a.sha256"
                            + " WHERE q.seq > ? ORDER BY q.seq LIMIT " + MAX_BATCH_ITEMS)) {
                  s.setLong(1, watermark);
                  try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                      out.add(new Entry(rs.getLong(1), rs.getLong(2), rs.getString(3),
                          rs.getString(4), rs.getString(5), rs.getString(6), rs.getString(7),
                          rs.getLong(8), null));
                    }
                  }
                }
                // documents: the text a parser extracted, from the same snapshot
                for (int i = 0; i < out.size(); i++) {
                  Entry e = out.get(i);
                  if (e.sha256() != null
                      && BuiltinContentParser.kindOf(e.filename(), e.contentType()) == null) {
                    String cached = TextIndex.cachedText(c, e.sha256(), e.contentType());
                    if (cached != null) {
                      out.set(i, new Entry(e.seq(), e.id(), e.path(), e.filename(), e.sha256(),
                          e.contentType(), e.key(), e.size(), cached));
                    }
                  }
                }
                return out;
              });
      if (entries.isEmpty()) {
        return false;
      }
      // All entries come from one snapshot: the last entry of an artifact says all.
      Map<Long, Entry> last = new LinkedHashMap<>();
      for (Entry e : entries) {
        last.remove(e.id());
        last.put(e.id(), e);
      }
      long applied = watermark;
      long chars = 0;
      List<Long> usedHints = new ArrayList<>();
      for (Entry e : entries) {
        if (last.get(e.id()) != e) {
          applied = e.seq(); // superseded within this batch
          continue;
        }
        if (e.sha256() == null) {
          deleteRow(e.id());
        } else {
          String body = e.cachedText();
          boolean textFile = BuiltinContentParser.kindOf(e.filename(), e.contentType()) != null;
          if (textFile && indexedFrom(e.id(), e.sha256(), e.contentType())) {
            // same bytes as the row was made from (a move): new path and name only
            renameRow(e.id(), e.path(), e.filename());
            applied = e.seq();
            continue;
          }
          if (textFile) {
            Hint hint = hintFor(e.id(), e.sha256());
            if (hint != null) {
              body = TextIndex.decodeTextPrefix(hint.prefix(), hint.complete());
              usedHints.add(e.id());
            } else {
              try {
                body = readText(e.key(), e.size());
              } catch (BlobNotFoundException missing) {
                Engine.LOG.log(Level.WARNING, "blob " + e.key() + " of " + e.path()
                    + e.filename() + " is missing; indexed without its text", missing);
                body = null;
              } catch (IOException | RuntimeException unavailable) {
                Engine.LOG.log(Level.DEBUG, "cannot read blob " + e.key()
                    + " for the text index now; retried later", unavailable);
                break;
              }
            }
          }
          putRow(e.id(), e.path(), e.filename(), body == null ? "" : body);
          markIndexed(e.id(), e.sha256(), e.contentType());
          chars += body == null ? 0 : body.length();
        }
        applied = e.seq();
        if (chars >= MAX_BATCH_CHARS) {
          break;
        }
      }
      if (applied == watermark) {
        return false;
      }
      setState("watermark", Long.toString(applied));
      exec("COMMIT");
      committed = true;
      synchronized (hints) {
        for (Long id : usedHints) {
          Hint h = hints.remove(id);
          if (h != null) {
            hintBytes -= h.prefix().length;
          }
        }
      }
      return true;
    } finally {
      if (!committed) {
        rollbackQuietly();
      }
    }
  }

  /**
   * Deletes applied entries from the index's queue, once a checkpoint made the text database's
   * batches durable (so a power loss cannot take back text whose queue entries are gone).
   */
  private void maybePrune(boolean force) throws SQLException {
    long watermark;
    try (PreparedStatement s =
        text.prepareStatement("SELECT value FROM text_state WHERE key = 'watermark'")) {
      try (ResultSet rs = s.executeQuery()) {
        watermark = rs.next() ? Long.parseLong(rs.getString(1)) : 0;
      }
    }
    if (watermark <= prunedUpTo || (!force && watermark - prunedUpTo < PRUNE_EVERY)) {
      return;
    }
    checkpoint();
    long upTo = watermark;
    String applied = generation;
    engine.index.write(
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

  /** Syncs the text database's WAL (and copies it into the database where no reader needs it). */
  private void checkpoint() throws SQLException {
    try (Statement s = text.createStatement()) {
      s.execute("PRAGMA wal_checkpoint(PASSIVE)");
    }
  }

  private void putRow(long rowid, @Nullable String path, @Nullable String filename, String body)
      throws SQLException {
    deleteRow(rowid);
    try (PreparedStatement s =
        text.prepareStatement(
            "INSERT INTO artifact_text (rowid, path, filename, body) VALUES (?, ?, ?, ?)")) {
      s.setLong(1, rowid);
      s.setString(2, path);
      s.setString(3, filename);
      s.setString(4, body);
      s.executeUpdate();
    }
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

  private boolean indexedFrom(long rowid, String sha256, @Nullable String contentType)
      throws SQLException {
    try (PreparedStatement s =
        text.prepareStatement("SELECT sha256, content_type FROM indexed WHERE rowid = ?")) {
      s.setLong(1, rowid);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() && rs.getString(1).equals(sha256)
            && rs.getString(2).equals(contentType);
      }
    }
  }

  private void markIndexed(long rowid, String sha256, @Nullable String contentType)
      throws SQLException {
    try (PreparedStatement s =
        text.prepareStatement(
            "INSERT OR REPLACE INTO indexed (rowid, sha256, content_type) VALUES (?, ?, ?)")) {
      s.setLong(1, rowid);
      s.setString(2, sha256);
      s.setString(3, contentType == null ? "" : contentType);
      s.executeUpdate();
    }
  }

  private void renameRow(long rowid, @Nullable String path, @Nullable String filename)
      throws SQLException {
    try (PreparedStatement s =
        text.prepareStatement(
            "UPDATE artifact_text SET path = ?, filename = ? WHERE rowid = ?")) {
      s.setString(1, path);
      s.setString(2, filename);
      s.setLong(3, rowid);
      s.executeUpdate();
    }
  }

  private @Nullable Hint hintFor(long id, String sha256) {
    synchronized (hints) {
      Hint h = hints.get(id);
      return h != null && h.sha256().equals(sha256) ? h : null;
    }
  }

  /** The indexed prefix of a text blob; null if it is not UTF-8 text. */
  private @Nullable String readText(@Nullable String key, long size) throws IOException {
    if (key == null) {
      return null;
    }
    int length = (int) Math.min(size, UploadStream.INDEX_BYTES);
    try (InputStream in = engine.backend.open(key, ByteRange.of(0, length))) {
      byte[] bytes = in.readNBytes(length);
      return TextIndex.decodeTextPrefix(bytes, size <= UploadStream.INDEX_BYTES);
    }
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

  private int intPragma(String name) throws SQLException {
    try (Statement s = text.createStatement();
        ResultSet rs = s.executeQuery("PRAGMA " + name)) {
      return rs.next() ? rs.getInt(1) : 0;
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
   * Stops the background thread after its current batch, prunes applied queue entries (best
   * effort) and closes the text database. Entries not yet applied stay queued for the next open.
   */
  @Override
  public void close() {
    closed = true;
    wake();
    if (Thread.currentThread() != thread && thread.isAlive()) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    batchLock.lock();
    try {
      try {
        maybePrune(true);
      } catch (SQLException | RuntimeException e) {
        Engine.LOG.log(Level.DEBUG, "could not prune the text queue on close", e);
      }
      closeQuietly(text);
    } finally {
      batchLock.unlock();
    }
  }
}
