package dev.diskstore.internal;

import dev.diskstore.ByteRange;
import dev.diskstore.spi.BlobNotFoundException;
import dev.diskstore.spi.index.ArtifactRow;
import dev.diskstore.spi.index.FullTextIndex;
import dev.diskstore.spi.index.FullTextIndex.TextBatch;
import dev.diskstore.spi.index.TextQueueEntry;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * The full-text indexer: brings the index's documents ({@link FullTextIndex}) up to date with the
 * queue that commits append to, <em>outside</em> the upsert's durable commit (tokenising text costs
 * far more than the rest of an upsert).
 *
 * <ul>
 *   <li>in the background, shortly after writes (one daemon thread per store), in batches of at
 *       most {@value #MAX_BATCH_ITEMS} queue entries or about {@value #MAX_BATCH_CHARS} characters;
 *   <li>synchronously before every full-text query ({@link #catchUp()}), so a query sees every
 *       write that returned before it started.
 * </ul>
 *
 * <p>A batch is claimed from the index ({@link FullTextIndex#claim}), which shows each entry's
 * artifact from one snapshot; the last entry of an artifact in a batch decides its document
 * (current path, name and bytes, or none if the artifact is gone). Exactly-once application across
 * instances and crashes is the index's ({@link FullTextIndex}); damage to the documents is reported
 * by the index, which rebuilds them ({@link FullTextIndex#recoverIfDamaged}).
 *
 * <p><b>Text.</b> A text file's text is decoded here, on the indexer's thread, from the bytes the
 * upsert kept while they are still in memory (a bounded hint cache), otherwise from the first {@link
 * UploadStream#INDEX_BYTES} bytes of its blob; a document's text comes from the extracted-content
 * cache once a parser filled it. A blob that the backend cannot serve right now stops the batch
 * before it (retried later); a blob that is gone while the index still references it is indexed
 * without body and logged ({@code verify()} reports the missing blob).
 *
 * <p>Thread-safe. {@link #close()} stops the thread after its current batch (interrupting it
 * after 5 s, and returning after at most 15 s even if the batch is stuck in a backend call that
 * ignores interrupts); entries not yet applied stay queued for the next open. The index closes the {@link FullTextIndex}.
 */
final class TextIndexer implements AutoCloseable {
  static final int MAX_BATCH_ITEMS = 256;
  static final int MAX_BATCH_CHARS = 1 << 20;
  /**
   * How long the background thread waits after a signal, to gather writes into one batch. Each
   * batch is a write transaction on the index (the claim) and one on the text database, and the
   * claim makes every other connection re-read the pages it changed: at 5 ms, back-to-back 1 KiB
   * upserts (about 1 ms each) made batches of about 4; at 20 ms, of about 15, for about 13 % fewer
   * system calls per upsert (pwrite, pread, fcntl, futex; counted with strace over 1,000 upserts).
   * Queries never wait for it: a full-text query applies what is queued first.
   */
  private static final long GATHER_MILLIS = 20;
  private static final int MAX_HINTS = 256;
  private static final long MAX_HINT_BYTES = 16L << 20;

  private final Engine engine;
  private final FullTextIndex fullText;
  /** Serialises batches within this store. */
  private final ReentrantLock batchLock = new ReentrantLock();
  private final ReentrantLock signalLock = new ReentrantLock();
  private final Condition signalled = signalLock.newCondition();
  /** Signalled by {@link #close()}: ends the gathering wait at once. */
  private final Condition closing = signalLock.newCondition();
  private boolean signal;
  private volatile boolean closed;
  private final Thread thread;

  /** Text recent upserts already decoded, by artifact id: saves reading it back. */
  private final LinkedHashMap<Long, Hint> hints = new LinkedHashMap<>();
  private long hintBytes;

  /** The first {@link UploadStream#INDEX_BYTES} bytes of an upload, and whether that is all. */
  private record Hint(String sha256, byte[] prefix, boolean complete) {}

  TextIndexer(Engine engine, FullTextIndex fullText) {
    this.engine = engine;
    this.fullText = fullText;
    this.thread = new Thread(this::runBackground, "diskstore-text-indexer");
    thread.setDaemon(true);
  }

  /** Whether an artifact is a text file (its text is read from its bytes, not a parser's). */
  private static boolean isTextFile(ArtifactRow row) {
    return BuiltinContentParser.kindOf(row.filename(), row.contentType()) != null;
  }

  /** The index's check of the documents: the lines it reports, empty when sound. */
  List<String> check(boolean deep) {
    return fullText.check(deep);
  }

  /** Sets the documents aside and rebuilds them (a check found them damaged). */
  void rebuildDamaged() {
    fullText.rebuild();
  }

  /** Rebuilds the documents when {@code found} says they are damaged; whether they were. */
  boolean recoverIfDamaged(Throwable found) {
    return fullText.recoverIfDamaged(found);
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
   * Applies everything queued, on the calling thread. Best effort: when the documents cannot be
   * written (a read-only or full disk, a backend that cannot serve a text right now), it logs and
   * returns, and the caller's query sees the documents as of the last applied batch.
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
        gather();
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

  /** Waits {@link #GATHER_MILLIS}, or until the indexer is closed (a close must not wait it out). */
  private void gather() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GATHER_MILLIS);
    signalLock.lock();
    try {
      long left;
      while (!closed && (left = deadline - System.nanoTime()) > 0) {
        closing.awaitNanos(left);
      }
    } finally {
      signalLock.unlock();
    }
  }

  /**
   * Applies batches until the queue is empty or a batch cannot make progress; when the index says
   * its documents are damaged, lets it rebuild them and goes on (at most three times).
   */
  private void drain() {
    batchLock.lock();
    try {
      for (int recoveries = 0; ; recoveries++) {
        try {
          while (!closed) {
            if (!applyBatch()) {
              break;
            }
          }
          return;
        } catch (RuntimeException e) {
          if (recoveries >= 3 || closed || !fullText.recoverIfDamaged(e)) {
            throw e;
          }
        }
      }
    } finally {
      batchLock.unlock();
    }
  }

  /** Applies one batch; whether it applied anything (and more may be queued). */
  private boolean applyBatch() {
    Optional<TextBatch> claimed =
        fullText.claim(MAX_BATCH_ITEMS, row -> !isTextFile(row));
    if (claimed.isEmpty()) {
      return false;
    }
    try (TextBatch batch = claimed.get()) {
      List<TextQueueEntry> entries = batch.entries();
      // All entries come from one snapshot: the last entry of an artifact says all.
      Map<Long, TextQueueEntry> last = new LinkedHashMap<>();
      for (TextQueueEntry e : entries) {
        last.remove(e.artifactId());
        last.put(e.artifactId(), e);
      }
      boolean any = false;
      long applied = 0;
      long chars = 0;
      List<Long> usedHints = new ArrayList<>();
      for (TextQueueEntry e : entries) {
        if (last.get(e.artifactId()) != e) {
          applied = e.seq(); // superseded within this batch
          any = true;
          continue;
        }
        ArtifactRow row = e.artifact();
        if (row == null) {
          batch.delete(e.artifactId());
        } else {
          String body = e.extractedText();
          boolean textFile = isTextFile(row);
          if (textFile && batch.indexedFrom(row.id(), row.sha256(), row.contentType())) {
            // same bytes as the document was made from (a move): new path and name only
            batch.rename(row.id(), row.path(), row.filename());
            applied = e.seq();
            any = true;
            continue;
          }
          if (textFile) {
            Hint hint = hintFor(row.id(), row.sha256());
            if (hint != null) {
              body = TextIndex.decodeTextPrefix(hint.prefix(), hint.complete());
              usedHints.add(row.id());
            } else {
              try {
                body = readText(row.blobKey(), row.size());
              } catch (BlobNotFoundException missing) {
                Engine.LOG.log(Level.WARNING, "blob " + row.blobKey() + " of " + row.path()
                    + row.filename() + " is missing; indexed without its text", missing);
                body = null;
              } catch (IOException | RuntimeException unavailable) {
                Engine.LOG.log(Level.DEBUG, "cannot read blob " + row.blobKey()
                    + " for the text index now; retried later", unavailable);
                break;
              }
            }
          }
          batch.put(row, body == null ? "" : body);
          chars += body == null ? 0 : body.length();
        }
        applied = e.seq();
        any = true;
        if (chars >= MAX_BATCH_CHARS) {
          break;
        }
      }
      if (!any) {
        return false;
      }
      batch.acknowledge(applied);
      synchronized (hints) {
        for (Long id : usedHints) {
          Hint h = hints.remove(id);
          if (h != null) {
            hintBytes -= h.prefix().length;
          }
        }
      }
      return true;
    }
  }

  private @Nullable Hint hintFor(long id, String sha256) {
    synchronized (hints) {
      Hint h = hints.get(id);
      return h != null && h.sha256().equals(sha256) ? h : null;
    }
  }

  /** The indexed prefix of a text blob; null if it is not UTF-8 text or has no blob row. */
  private @Nullable String readText(String key, long size) throws IOException {
    if (key.isEmpty()) {
      return null;
    }
    int length = (int) Math.min(size, UploadStream.INDEX_BYTES);
    try (InputStream in = engine.backend.open(key, ByteRange.of(0, length))) {
      byte[] bytes = in.readNBytes(length);
      return TextIndex.decodeTextPrefix(bytes, size <= UploadStream.INDEX_BYTES);
    }
  }

  /**
   * Stops the background thread after its current batch and waits for a batch in progress on
   * another thread. Entries not yet applied stay queued for the next open.
   */
  @Override
  public void close() {
    closed = true;
    wake();
    signalLock.lock();
    try {
      closing.signalAll();
    } finally {
      signalLock.unlock();
    }
    try {
      if (Thread.currentThread() != thread && thread.isAlive()) {
        thread.join(TimeUnit.SECONDS.toMillis(5));
        if (thread.isAlive()) {
          // still in a batch after 5 s: most likely waiting on a backend that does not answer
          // (a text read). Interrupting ends interruptible waits; the batch then fails and its
          // entries stay queued.
          thread.interrupt();
        }
      }
      if (batchLock.tryLock(10, TimeUnit.SECONDS)) {
        batchLock.unlock();
      } else {
        Engine.LOG.log(Level.WARNING, "closing while a full-text batch still waits on the blob"
            + " backend; it cannot commit once the index is closed, and its entries stay queued"
            + " for the next open");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
