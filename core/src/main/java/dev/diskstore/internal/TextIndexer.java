package dev.diskstore.internal;

import dev.diskstore.ByteRange;
import dev.diskstore.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Keeps the full-text index ({@code artifact_text}) up to date <em>outside</em> the upsert's
 * durable commit.
 *
 * <p>Tokenising text into FTS5 costs about 20 ms per MiB, far more than the rest of an upsert, and
 * every page it writes would go through the commit's fsync. So an upsert's commit only adds the
 * artifact's id to {@code text_queue} (one small row, in the same transaction as the artifact row:
 * the queue survives any crash), and this indexer brings the text index up to date in batches:
 * in the background shortly after upserts (one daemon thread per store, batches of at most
 * {@value #MAX_BATCH_ITEMS} artifacts or about {@value #MAX_BATCH_CHARS} characters per
 * transaction, so the writer lock is never held long), and synchronously before every full-text
 * query ({@link #catchUp()}), so a query sees every write that returned before it started.
 *
 * <p>An indexing transaction is not fsynced ({@code synchronous=NORMAL}): on power loss it may roll
 * back, but atomically with the deletion of its queue rows, so the work is simply redone. Each item
 * is reconciled with the artifact's current row inside the transaction: a deleted artifact loses
 * its text row, an artifact replaced since its text was read stays queued, and the path and name
 * are always the current ones. Several stores (threads or processes) may index the same queue;
 * the queue row's deletion decides who indexes an item.
 *
 * <p>The text of a text file comes from the upsert that wrote it when it is still in memory (a
 * bounded hint cache), otherwise from the first {@link UploadStream#INDEX_BYTES} bytes of the
 * blob; a document's text comes from the extracted-content cache once a parser filled it.
 *
 * <p>Thread-safe. {@link #close()} stops the thread after its current batch; queued items stay
 * queued for the next open.
 */
final class TextIndexer implements AutoCloseable {
  static final int MAX_BATCH_ITEMS = 64;
  static final int MAX_BATCH_CHARS = 1 << 20;
  /** How long the background thread waits after a signal, to gather upserts into one batch. */
  private static final long GATHER_MILLIS = 5;
  private static final int MAX_HINTS = 256;
  private static final long MAX_HINT_CHARS = 16L << 20;

  private final Engine engine;
  /** Serialises batches within this store (the queue rows serialise them across stores). */
  private final ReentrantLock batchLock = new ReentrantLock();
  private final ReentrantLock signalLock = new ReentrantLock();
  private final Condition signalled = signalLock.newCondition();
  private boolean signal;
  private volatile boolean closed;
  private final Thread thread;

  /** Text recent upserts already decoded, by artifact id: saves reading it back. */
  private final LinkedHashMap<Long, Hint> hints = new LinkedHashMap<>();
  private long hintChars;

  private record Hint(String sha256, String text) {}

  /** One queued artifact, read outside the write transaction. */
  private record Item(long id, @Nullable String sha256, @Nullable String text) {}

  /** Marks text that could not be read this time (the item stays queued). */
  private static final String UNREADABLE = new String("unreadable");

  TextIndexer(Engine engine) {
    this.engine = engine;
    this.thread = new Thread(this::runBackground, "diskstore-text-indexer");
    thread.setDaemon(true);
  }

  /** Starts the background thread; it first indexes whatever an earlier run left queued. */
  void start() {
    thread.start();
    wake();
  }

  /**
   * Tells the indexer that {@code id} was queued by a commit that just returned, with its text if
   * the caller has it (null for a file that is not text or whose text it does not have).
   */
  void queued(long id, String sha256, @Nullable String text) {
    if (text != null && text.length() <= MAX_HINT_CHARS / 4) {
      synchronized (hints) {
        Hint old = hints.put(id, new Hint(sha256, text));
        hintChars += text.length() - (old == null ? 0 : old.text().length());
        var it = hints.values().iterator();
        while ((hints.size() > MAX_HINTS || hintChars > MAX_HINT_CHARS) && it.hasNext()) {
          hintChars -= it.next().text().length();
          it.remove();
        }
      }
    }
    wake();
  }

  private void wake() {
    signalLock.lock();
    try {
      signal = true;
      signalled.signal();
    } finally {
      signalLock.unlock();
    }
  }

  /**
   * Indexes everything queued, on the calling thread. Best effort: when the index cannot be written
   * (a read-only or full disk), it logs and returns, and the query that called it sees the text
   * index as of the last successful batch.
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
   * One pass over the queue, in id order. Items whose text cannot be read now stay queued for the
   * next pass (the next upsert's signal or query), so a pass always ends.
   */
  private void drain() {
    long after = 0;
    while (!closed) {
      long last = runBatch(after);
      if (last < 0) {
        return;
      }
      after = last;
    }
  }

  /** Indexes one batch of queued items with ids above {@code after}; the last id seen, or -1. */
  private long runBatch(long after) {
    batchLock.lock();
    try {
      record Queued(
          long id, @Nullable String path, @Nullable String filename, @Nullable String sha256,
          @Nullable String contentType, @Nullable String key, long size) {}
      List<Queued> queued =
          engine.index.read(
              c -> {
                List<Queued> out = new ArrayList<>();
                try (PreparedStatement s =
                    c.prepareStatement(
                        "SELECT q.artifact_id, a.path, a.filename, a.sha256, a.content_type,"
                            + " b.key, a.size FROM text_queue q"
                            + " LEFT JOIN artifacts a ON a.id = q.artifact_id"
                            + " LEFT JOIN blobs b ON b.sha256 = a.sha256"
                            + " WHERE q.artifact_id > ?"
                            + " ORDER BY q.artifact_id LIMIT " + MAX_BATCH_ITEMS)) {
                  s.setLong(1, after);
                  try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                      out.add(new Queued(rs.getLong(1), rs.getString(2), rs.getString(3),
                          rs.getString(4), rs.getString(5), rs.getString(6), rs.getLong(7)));
                    }
                  }
                }
                return out;
              });
      if (queued.isEmpty()) {
        return -1;
      }
      List<Item> items = new ArrayList<>(queued.size());
      long chars = 0;
      for (Queued q : queued) {
        if (q.sha256() == null) {
          items.add(new Item(q.id(), null, null));
          continue;
        }
        String text = null;
        if (BuiltinContentParser.kindOf(q.filename(), q.contentType()) != null) {
          text = hintFor(q.id(), q.sha256());
          if (text == null && q.key() != null) {
            text = readText(q.key(), q.size());
          }
        }
        items.add(new Item(q.id(), q.sha256(), text));
        chars += text == null || text == UNREADABLE ? 0 : text.length();
        if (chars >= MAX_BATCH_CHARS) {
          break;
        }
      }
      engine.index.write(false, c -> {
        for (Item item : items) {
          index(c, item);
        }
        return null;
      });
      synchronized (hints) {
        for (Item item : items) {
          Hint h = hints.get(item.id());
          if (h != null && h.sha256().equals(item.sha256())) {
            hints.remove(item.id());
            hintChars -= h.text().length();
          }
        }
      }
      return items.get(items.size() - 1).id();
    } finally {
      batchLock.unlock();
    }
  }

  private void index(Connection c, Item item) throws SQLException {
    String path = null;
    String filename = null;
    String sha256 = null;
    String contentType = null;
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT path, filename, sha256, content_type FROM artifacts WHERE id = ?")) {
      s.setLong(1, item.id());
      try (ResultSet rs = s.executeQuery()) {
        if (rs.next()) {
          path = rs.getString(1);
          filename = rs.getString(2);
          sha256 = rs.getString(3);
          contentType = rs.getString(4);
        }
      }
    }
    if (!java.util.Objects.equals(sha256, item.sha256()) || item.text() == UNREADABLE) {
      // replaced or deleted since the text was read, or unreadable now: stays queued
      return;
    }
    try (PreparedStatement s =
        c.prepareStatement("DELETE FROM text_queue WHERE artifact_id = ?")) {
      s.setLong(1, item.id());
      if (s.executeUpdate() == 0) {
        return; // another store indexed it meanwhile
      }
    }
    if (sha256 == null) {
      TextIndex.remove(c, item.id());
      return;
    }
    String body = item.text() != null ? item.text() : TextIndex.cachedText(c, sha256, contentType);
    TextIndex.put(c, item.id(), path, filename, body == null ? "" : body);
  }

  private @Nullable String hintFor(long id, String sha256) {
    synchronized (hints) {
      Hint h = hints.get(id);
      return h != null && h.sha256().equals(sha256) ? h.text() : null;
    }
  }

  /**
   * The indexed prefix of a text blob; null if it is not UTF-8 text, {@link #UNREADABLE} if it
   * cannot be read now.
   */
  private @Nullable String readText(String key, long size) {
    int length = (int) Math.min(size, UploadStream.INDEX_BYTES);
    try (InputStream in = engine.backend.open(key, ByteRange.of(0, length))) {
      byte[] bytes = in.readNBytes(length);
      return TextIndex.decodeTextPrefix(bytes, size <= UploadStream.INDEX_BYTES);
    } catch (IOException | StorageException e) {
      // replaced and collected meanwhile (reconciliation sees it), or a backend failure (a later
      // pass retries)
      Engine.LOG.log(Level.DEBUG, "could not read blob " + key + " for the text index", e);
      return UNREADABLE;
    }
  }

  /** Stops the background thread after its current batch. Queued items stay queued. */
  @Override
  public void close() {
    closed = true;
    wake();
    thread.interrupt();
    if (Thread.currentThread() != thread) {
      try {
        thread.join(TimeUnit.SECONDS.toMillis(10));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Whether text_queue is empty (tests and verify). */
  static boolean queueEmpty(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT 1 FROM text_queue LIMIT 1");
        ResultSet rs = s.executeQuery()) {
      return !rs.next();
    }
  }
}
