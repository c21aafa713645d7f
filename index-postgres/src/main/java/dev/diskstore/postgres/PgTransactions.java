package dev.diskstore.postgres;

import dev.diskstore.StorageException;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * Transactions on the pool, the way every index operation runs them.
 *
 * <ul>
 *   <li><b>Writes</b> run at {@code SERIALIZABLE}: every write transaction of every instance is
 *       serializable against all others, which is what the commit fence, conditional writes and
 *       reference counts rely on across hosts. A transaction PostgreSQL aborts as a serialization
 *       failure ({@code 40001}) or deadlock victim ({@code 40P01}) rolled back entirely, so the
 *       work is run again with jittered exponential backoff, for at least {@link
 *       #MIN_WRITE_ATTEMPTS} attempts and until {@link #WRITE_RETRY_BUDGET} has passed; the work
 *       must therefore be repeatable (no side effects outside the transaction). PostgreSQL's
 *       serializable isolation guarantees progress (of transactions in conflict, one commits), not
 *       that a given transaction commits soon: a burst of writers on small tables, whose
 *       predicate locks cover whole pages, can abort one writer many times in a row (seen: more
 *       than 12 times with 24 writers starting at once on two cores), so the retries are bounded
 *       by time, not by a small count. Exhaustion fails with a retryable {@link
 *       StorageException}.
 *   <li><b>Reads</b> run at {@code REPEATABLE READ READ ONLY}: one snapshot, never blocked, never
 *       aborted for serialization. A read whose connection fails is run again (it wrote nothing).
 *   <li>A write whose connection fails is <em>not</em> run again here: when the failure comes
 *       with the commit, whether it committed is unknown. It fails with a retryable {@link
 *       StorageException}; the caller decides (an upsert repeated is harmless, an {@code
 *       ifNoneMatch} repeated may fail its precondition).
 * </ul>
 *
 * <p>{@link SQLException}s never escape: they become {@link StorageException}s naming the database
 * ({@link #where}: host, database and schema, never credentials), retryable when the connection or
 * server failed (SQLState class {@code 08}, {@code 57P01..03} shutdown, {@code 53300} too many
 * connections, {@code 57014} statement timeout, the pool's own timeout). {@code DiskStoreException}s
 * thrown by the work (a precondition, a missing disk) pass through unchanged.
 *
 * <p>Thread-safe; holds no connection between calls.
 */
final class PgTransactions {
  static final int MIN_WRITE_ATTEMPTS = 12;
  static final java.time.Duration WRITE_RETRY_BUDGET = java.time.Duration.ofSeconds(20);
  static final int MAX_READ_ATTEMPTS = 3;
  private static final long BASE_BACKOFF_MICROS = 1_000;
  private static final long MAX_BACKOFF_MICROS = 100_000;

  /** Work inside one transaction on {@code c}; must not commit, roll back or keep {@code c}. */
  @FunctionalInterface
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private final DataSource pool;
  private final String where;
  private final java.time.Duration retryBudget;

  PgTransactions(DataSource pool, String where) {
    this(pool, where, WRITE_RETRY_BUDGET);
  }

  /** With another retry budget than {@link #WRITE_RETRY_BUDGET} (tests). */
  PgTransactions(DataSource pool, String where, java.time.Duration retryBudget) {
    this.pool = pool;
    this.where = where;
    this.retryBudget = retryBudget;
  }

  /** "PostgreSQL index at host:port/database, schema s", for messages. */
  String where() {
    return where;
  }

  /** Runs {@code work} in a serializable write transaction, retried on serialization failures. */
  <T> T write(Work<T> work) {
    return write(work, "write");
  }

  <T> T write(Work<T> work, String what) {
    long deadline = System.nanoTime() + retryBudget.toNanos();
    for (int attempt = 1; ; attempt++) {
      SQLException failure;
      try (Connection c = pool.getConnection()) {
        return inTransaction(c, BEGIN_WRITE, work);
      } catch (SQLException e) {
        failure = e;
      }
      if (!isSerializationFailure(failure)) {
        throw translate(failure, what);
      }
      if (attempt >= MIN_WRITE_ATTEMPTS && System.nanoTime() - deadline > 0) {
        throw new StorageException(
            where + ": " + what + " failed: still in conflict with concurrent transactions after "
                + attempt + " attempts (" + describe(failure) + ")",
            true, failure);
      }
      backoff(attempt);
    }
  }

  /** Runs {@code work} in a read-only repeatable-read transaction: one snapshot. */
  <T> T read(Work<T> work) {
    return read(work, "read");
  }

  <T> T read(Work<T> work, String what) {
    for (int attempt = 1; ; attempt++) {
      SQLException failure;
      try (Connection c = pool.getConnection()) {
        return inTransaction(c, BEGIN_READ, work);
      } catch (SQLException e) {
        failure = e;
      }
      if (!isConnectionFailure(failure) || attempt >= MAX_READ_ATTEMPTS) {
        throw translate(failure, what);
      }
      backoff(attempt);
    }
  }

  /**
   * Runs {@code work} in auto-commit mode: each statement is its own transaction and snapshot, one
   * round trip each (for work of a single lookup, where a transaction would only add round trips).
   * Re-run after a lost connection, like {@link #read}.
   */
  <T> T readEach(Work<T> work) {
    for (int attempt = 1; ; attempt++) {
      SQLException failure;
      try (Connection c = pool.getConnection()) {
        return work.run(c);
      } catch (SQLException e) {
        failure = e;
      }
      if (!isConnectionFailure(failure) || attempt >= MAX_READ_ATTEMPTS) {
        throw translate(failure, "read");
      }
      backoff(attempt);
    }
  }

  private static final String BEGIN_WRITE = "BEGIN ISOLATION LEVEL SERIALIZABLE, READ WRITE";
  private static final String BEGIN_READ = "BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY";

  /**
   * One transaction begun and ended by statements on a connection left in auto-commit mode (the
   * pool's default), rather than by changing the connection's auto-commit, isolation and
   * read-only settings: those cost round trips to set, and the pool's round trips to reset when
   * the connection returns. pgJDBC sends no {@code BEGIN} of its own in auto-commit mode, so the
   * statements of the work run inside this one.
   */
  private static <T> T inTransaction(Connection c, String begin, Work<T> work)
      throws SQLException {
    execute(c, begin);
    T result;
    try {
      result = work.run(c);
    } catch (SQLException | RuntimeException | Error e) {
      try {
        execute(c, "ROLLBACK");
      } catch (SQLException suppressed) {
        e.addSuppressed(suppressed);
      }
      throw e;
    }
    // a COMMIT that fails (a serialization failure found at commit) has ended the transaction
    execute(c, "COMMIT");
    return result;
  }

  /** The {@link StorageException} for a failure of {@code what} on this database. */
  StorageException translate(SQLException e, String what) {
    boolean retryable = isRetryable(e);
    return new StorageException(where + ": " + what + " failed: " + describe(e), retryable, e);
  }

  static boolean isSerializationFailure(SQLException e) {
    String state = e.getSQLState();
    return "40001".equals(state) || "40P01".equals(state);
  }

  /** The connection or the server went away (or could not be reached in time). */
  static boolean isConnectionFailure(SQLException e) {
    if (e instanceof SQLTransientConnectionException) {
      return true; // the pool's connection timeout
    }
    String state = e.getSQLState();
    return state != null
        && (state.startsWith("08")
            || state.equals("57P01") // admin_shutdown
            || state.equals("57P02") // crash_shutdown
            || state.equals("57P03") // cannot_connect_now (starting up, shutting down)
            || state.equals("53300")); // too_many_connections
  }

  static boolean isRetryable(SQLException e) {
    return isConnectionFailure(e)
        || isSerializationFailure(e)
        || "57014".equals(e.getSQLState()) // query_canceled: statement_timeout
        || "55P03".equals(e.getSQLState()); // lock_not_available: lock_timeout
  }

  private static String describe(SQLException e) {
    String state = e.getSQLState();
    return (state == null ? "" : "SQLState " + state + ": ") + e.getMessage();
  }

  /** Full jitter: a random pause up to min(max, base * 2^attempt). */
  private static void backoff(int attempt) {
    long cap = Math.min(MAX_BACKOFF_MICROS, BASE_BACKOFF_MICROS << Math.min(attempt, 20));
    long pause = ThreadLocalRandom.current().nextLong(cap / 2, cap + 1);
    try {
      TimeUnit.MICROSECONDS.sleep(pause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StorageException("interrupted while waiting to retry a transaction", e);
    }
  }

  /** Runs one statement outside any explicit transaction (setup, session settings). */
  static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  static @Nullable String sqlState(Throwable t) {
    return t instanceof SQLException e ? e.getSQLState() : null;
  }
}
