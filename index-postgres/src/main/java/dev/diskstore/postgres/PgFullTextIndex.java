package dev.diskstore.postgres;

import dev.diskstore.StoreClosedException;
import dev.diskstore.spi.index.ArtifactRow;
import dev.diskstore.spi.index.FullTextIndex;
import dev.diskstore.spi.index.TextQueueEntry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * {@link FullTextIndex} in the same database as the rows: documents in {@code artifact_text}, the
 * queue in {@code text_queue} (see {@link PgText}).
 *
 * <p><b>Exactly once, in order.</b> A batch is one transaction on a pooled connection that holds
 * {@code pg_advisory_xact_lock(text lock of the schema)}: one batch at a time per store, across
 * every instance (as SQLite's text database write lock does on one host), so that a later change
 * of an artifact is never overwritten by a batch that read an earlier one. The entries are taken
 * {@code FOR UPDATE SKIP LOCKED} and deleted in the transaction that writes their documents, so
 * an acknowledged entry was applied and an unacknowledged one (a crash, a lost connection) stays
 * queued; no watermark is needed. A batch waits for the lock (a search's catch-up must not return
 * while another instance's batch holds entries it must see) and its transaction may stay open
 * while the core reads and parses blobs, so its idle-in-transaction limit is raised to ten
 * minutes for that transaction only.
 *
 * <p>There is no separate damage to recover from: the documents are ordinary tables of the
 * database, whose own checks and backups cover them; {@link #rebuild()} requeues everything.
 *
 * <p>Thread-safe; each batch is used by one thread.
 */
final class PgFullTextIndex implements FullTextIndex {
  private final DataSource pool;
  private final PgTransactions tx;
  private final long lockKey;
  /**
   * One batch at a time in this instance before the database lock is asked for: a thread waiting
   * for the lock holds a pooled connection, and waiters of one instance must not drain its pool.
   */
  private final java.util.concurrent.Semaphore oneBatch = new java.util.concurrent.Semaphore(1);
  private volatile boolean closed;

  PgFullTextIndex(DataSource pool, PgTransactions tx, String schema) {
    this.pool = pool;
    this.tx = tx;
    this.lockKey = textLockKey(schema);
  }

  static long textLockKey(String schema) {
    try {
      return ByteBuffer.wrap(MessageDigest.getInstance("SHA-256")
          .digest(("dev.diskstore.postgres/text/" + schema).getBytes(StandardCharsets.UTF_8)))
          .getLong();
    } catch (NoSuchAlgorithmException e) {
      throw new AssertionError(e);
    }
  }

  @Override
  public Optional<TextBatch> claim(int maxEntries, Predicate<ArtifactRow> wantsExtractedText) {
    if (closed) {
      throw new StoreClosedException();
    }
    try {
      oneBatch.acquire();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new dev.diskstore.StorageException("interrupted while waiting for a full-text batch", e);
    }
    boolean handedOut = false;
    Connection c = null;
    try {
      c = pool.getConnection();
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      PgTransactions.execute(c, "SET LOCAL idle_in_transaction_session_timeout = '10min'");
      try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
        s.setLong(1, lockKey);
        s.execute();
      }
      List<PgText.Entry> claimed = PgText.claim(c, maxEntries);
      if (claimed.isEmpty()) {
        c.rollback();
        c.close();
        return Optional.empty(); // the finally block lets the next claim in
      }
      List<TextQueueEntry> entries = new ArrayList<>(claimed.size());
      for (PgText.Entry e : claimed) {
        String extracted = null;
        ArtifactRow row = e.artifact();
        if (row != null && wantsExtractedText.test(row)) {
          extracted = PgBlobs.extractedText(c, row.sha256(), row.contentType()).orElse(null);
        }
        entries.add(new TextQueueEntry(e.seq(), e.artifactId(), row, extracted));
      }
      Batch batch = new Batch(c, entries);
      handedOut = true;
      return Optional.of(batch);
    } catch (SQLException e) {
      abandon(c, e);
      throw tx.translate(e, "claiming full-text queue entries");
    } catch (RuntimeException | Error e) {
      abandon(c, e);
      throw e;
    } finally {
      if (!handedOut) {
        oneBatch.release();
      }
    }
  }

  private static void abandon(@Nullable Connection c, Throwable failure) {
    if (c == null) {
      return;
    }
    try {
      c.rollback();
    } catch (SQLException suppressed) {
      failure.addSuppressed(suppressed);
    }
    try {
      c.close();
    } catch (SQLException suppressed) {
      failure.addSuppressed(suppressed);
    }
  }

  @Override
  public List<String> check(boolean deep) {
    return List.of();
  }

  @Override
  public void rebuild() {
    tx.write(c -> {
      try (PreparedStatement s = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
        s.setLong(1, lockKey);
        s.execute();
      }
      PgText.requeueAll(c);
      return null;
    }, "rebuilding the full-text index");
  }

  @Override
  public boolean recoverIfDamaged(Throwable failure) {
    return false;
  }

  @Override
  public void close() {
    closed = true;
  }

  @FunctionalInterface
  private interface SqlCall<T> {
    T call() throws SQLException;
  }

  /** One claimed batch: an open transaction holding the text lock and the entries' row locks. */
  private final class Batch implements TextBatch {
    private final Connection c;
    private final List<TextQueueEntry> entries;
    private boolean done;
    private boolean released;

    Batch(Connection c, List<TextQueueEntry> entries) {
      this.c = c;
      this.entries = List.copyOf(entries);
    }

    @Override
    public List<TextQueueEntry> entries() {
      return entries;
    }

    @Override
    public boolean indexedFrom(long artifactId, String sha256, String contentType) {
      return call(() -> PgText.indexedFrom(c, artifactId, sha256, contentType), "reading");
    }

    @Override
    public void put(ArtifactRow artifact, String body) {
      call(() -> {
        PgText.put(c, artifact, body);
        return null;
      }, "storing a document");
    }

    @Override
    public void rename(long artifactId, @Nullable String path, @Nullable String filename) {
      call(() -> {
        PgText.rename(c, artifactId, path, filename);
        return null;
      }, "renaming a document");
    }

    @Override
    public void delete(long artifactId) {
      call(() -> {
        PgText.delete(c, artifactId);
        return null;
      }, "deleting a document");
    }

    @Override
    public void acknowledge(long lastSeq) {
      List<Long> seqs = new ArrayList<>();
      for (TextQueueEntry e : entries) {
        if (e.seq() <= lastSeq) {
          seqs.add(e.seq());
        }
      }
      call(() -> {
        PgText.acknowledge(c, seqs);
        c.commit();
        return null;
      }, "acknowledging full-text queue entries");
      done = true;
    }

    @Override
    public void close() {
      if (!done) {
        done = true;
        try {
          c.rollback();
        } catch (SQLException e) {
          // the connection is gone: the server rolled back
        }
      }
      try {
        c.close();
      } catch (SQLException e) {
        // returned or gone either way
      } finally {
        if (!released) {
          released = true;
          oneBatch.release();
        }
      }
    }

    private <T> T call(SqlCall<T> work, String what) {
      if (done) {
        throw new IllegalStateException("the batch is acknowledged or closed");
      }
      try {
        return work.call();
      } catch (SQLException e) {
        throw tx.translate(e, "full-text indexing: " + what);
      }
    }
  }

  /** For messages. */
  @Override
  public String toString() {
    return "full-text index of " + tx.where();
  }

}
