package dev.diskstore.postgres;

import dev.diskstore.Query;
import dev.diskstore.QuerySort;
import dev.diskstore.StoreClosedException;
import dev.diskstore.spi.index.CompiledQuery;
import dev.diskstore.spi.index.FullTextIndex;
import dev.diskstore.spi.index.IndexContext;
import dev.diskstore.spi.index.IndexWork;
import dev.diskstore.spi.index.IntegrityProblem;
import dev.diskstore.spi.index.Liveness;
import dev.diskstore.spi.index.MetadataIndex;
import java.sql.Connection;
import java.util.Optional;
import java.sql.ResultSet;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link MetadataIndex} on PostgreSQL: {@link PgTransactions} runs the work ({@code SERIALIZABLE}
 * writes retried on serialization failures, so write work may run more than once, as the SPI
 * allows), {@link PgSession} gives it the row operations, {@link PgLiveness} the owners and {@link
 * PgFullTextIndex} the documents. A write that need not be durable commits with {@code
 * synchronous_commit = off} (as when the store's context asks for no durable commits): it
 * survives a crash of this process, not of the database server.
 *
 * <p>Thread-safe. {@link #close()} stops the full-text index, closes the pool, then ends the
 * owner (declared dead while its lock is still held); idempotent.
 */
final class PgMetadataIndex implements MetadataIndex {
  private final PgDatabase db;
  private final PgLiveness liveness;
  private final PgFullTextIndex text;
  private final boolean durableCommits;
  private volatile boolean closed;

  private PgMetadataIndex(PgDatabase db, PgLiveness liveness, boolean durableCommits) {
    this.db = db;
    this.liveness = liveness;
    this.durableCommits = durableCommits;
    this.text = new PgFullTextIndex(db.pool(), db.transactions(), db.schema());
  }

  static PgMetadataIndex open(PostgresIndex config, IndexContext context) {
    PgDatabase db = PgDatabase.open(config);
    try {
      return new PgMetadataIndex(db, new PgLiveness(db), context.durableCommits());
    } catch (RuntimeException | Error e) {
      db.close();
      throw e;
    }
  }

  @Override
  public <T> T read(IndexWork<T> work) {
    checkOpen();
    return db.transactions().read(c -> run(c, work));
  }

  /** Each lookup in auto-commit mode: one round trip per statement, no transaction around it. */
  @Override
  public <T> T readEach(IndexWork<T> work) {
    checkOpen();
    return db.transactions().readEach(c -> run(c, work));
  }

  /**
   * A session-level advisory lock, {@code (owner lock space of the schema, 0)}, held on a pooled
   * connection taken out of the pool for as long as the lease is open (owner locks of the same
   * space take keys from 1 up, so none is 0). PostgreSQL releases it if the connection dies.
   */
  @Override
  public Optional<CollectionLease> tryLockCollection() {
    checkOpen();
    int space = PgSchema.ownerLockSpace(db.schema());
    Connection c = null;
    try {
      c = db.pool().getConnection();
      boolean locked;
      try (PreparedStatement s = c.prepareStatement("SELECT pg_try_advisory_lock(?, 0)")) {
        s.setInt(1, space);
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          locked = rs.getBoolean(1);
        }
      }
      if (!locked) {
        c.close();
        return Optional.empty();
      }
      Connection held = c;
      java.util.concurrent.atomic.AtomicBoolean closed =
          new java.util.concurrent.atomic.AtomicBoolean();
      return Optional.of(() -> {
        if (!closed.compareAndSet(false, true)) {
          return;
        }
        boolean unlocked = false;
        try (PreparedStatement s = held.prepareStatement("SELECT pg_advisory_unlock(?, 0)")) {
          s.setInt(1, space);
          try (ResultSet rs = s.executeQuery()) {
            unlocked = rs.next() && rs.getBoolean(1);
          }
        } catch (SQLException e) {
          // a connection that failed is not reused; the server released its locks
        }
        if (!unlocked && db.pool() instanceof com.zaxxer.hikari.HikariDataSource hikari) {
          hikari.evictConnection(held); // never hand a connection holding the lock to others
        }
        try {
          held.close();
        } catch (SQLException ignored) {
          // returned or dropped by the pool either way
        }
      });
    } catch (SQLException e) {
      if (c != null) {
        try {
          c.close();
        } catch (SQLException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw db.transactions().translate(e, "locking garbage collection");
    }
  }

  @Override
  public <T> T write(boolean durable, IndexWork<T> work) {
    checkOpen();
    boolean sync = durable && durableCommits;
    return db.transactions().write(c -> {
      if (!sync) {
        PgTransactions.execute(c, "SET LOCAL synchronous_commit = off");
      }
      return run(c, work);
    });
  }

  private static <T> T run(Connection c, IndexWork<T> work) throws SQLException {
    try {
      return work.run(new PgSession(c));
    } catch (PgSession.SqlFailure e) {
      throw e.getCause();
    }
  }

  @Override
  public Liveness liveness() {
    return liveness;
  }

  @Override
  public FullTextIndex fullText() {
    return text;
  }

  @Override
  public CompiledQuery compile(String diskId, Query query, QuerySort sort) {
    return PgQueries.compile(diskId, query, sort);
  }

  /**
   * PostgreSQL checks its own pages and constraints; what is left to check here is that the
   * schema is reachable and at the version this code writes.
   */
  @Override
  public List<IntegrityProblem> checkIntegrity(boolean deep) {
    List<IntegrityProblem> found = new ArrayList<>();
    try (Connection c = db.newUnpooledConnection()) {
      int version = PgSchema.currentVersion(c, db.schema());
      if (version != PgSchema.VERSION) {
        found.add(new IntegrityProblem(db.where(),
            "schema version " + version + ", expected " + PgSchema.VERSION));
      }
    } catch (SQLException e) {
      found.add(new IntegrityProblem(db.where(), "the check failed: " + e.getMessage()));
    }
    return found;
  }

  @Override
  public boolean sharedAcrossHosts() {
    return true;
  }

  @Override
  public String describe() {
    return db.where();
  }

  private void checkOpen() {
    if (closed) {
      throw new StoreClosedException();
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    text.close();
    try {
      liveness.close(); // declares the owner dead through the pool, then drops its session
    } finally {
      db.close();
    }
  }

  @Override
  public String toString() {
    return describe();
  }
}
