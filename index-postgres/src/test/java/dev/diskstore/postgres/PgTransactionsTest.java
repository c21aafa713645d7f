package dev.diskstore.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.DiskNotFoundException;
import dev.diskstore.StorageException;
import dev.diskstore.testkit.postgres.EmbeddedPostgresServer;
import dev.diskstore.testkit.postgres.EmbeddedPostgresServer.FreshSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Isolation, retries and error translation of {@link PgTransactions} against a real server. */
class PgTransactionsTest {
  private static final EmbeddedPostgresServer SERVER = EmbeddedPostgresServer.shared();
  private FreshSchema schema;
  private PgDatabase db;
  private PgTransactions tx;

  @BeforeEach
  void open() {
    schema = SERVER.freshSchema();
    db = PgDatabase.open(PostgresIndex.builder().jdbcUrl(SERVER.jdbcUrl()).user(SERVER.user())
        .password("secret-password").schema(schema.name()).maximumPoolSize(8).build());
    tx = db.transactions();
    tx.write(c -> {
      PgTransactions.execute(c, "CREATE TABLE counter (id integer PRIMARY KEY, n bigint NOT NULL)");
      PgTransactions.execute(c, "INSERT INTO counter VALUES (1, 0), (2, 0)");
      return null;
    });
  }

  @AfterEach
  void close() {
    db.close();
    schema.close();
  }

  @Test
  void conflictingWritersAreSerializedByRetryingAndLoseNoUpdate() throws Exception {
    int threads = 8;
    int incrementsEach = 25;
    AtomicInteger attempts = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CyclicBarrier start = new CyclicBarrier(threads);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < incrementsEach; i++) {
            // read-modify-write with a pause in between: a lost update unless serialized
            tx.write(c -> {
              attempts.incrementAndGet();
              long n = value(c, 1);
              // hold the snapshot a moment so that the transactions of the 8 threads overlap
              PgTransactions.execute(c, "SELECT pg_sleep(0.002)");
              try (PreparedStatement s = c.prepareStatement("UPDATE counter SET n = ? WHERE id = 1")) {
                s.setLong(1, n + 1);
                s.executeUpdate();
              }
              return null;
            });
          }
          return null;
        }));
      }
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat((long) tx.<Long>read(c -> value(c, 1))).isEqualTo(threads * incrementsEach);
    // the conflicts were real: some transactions ran more than once
    assertThat(attempts.get()).isGreaterThan(threads * incrementsEach);
  }

  @Test
  void writeSkewIsPreventedAcrossConnections() throws Exception {
    // Each transaction reads both rows and writes one only if the sum is still 0: at snapshot
    // isolation both would commit (write skew); at SERIALIZABLE one of them must see the other.
    CyclicBarrier bothRead = new CyclicBarrier(2);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<Boolean>> wrote = new ArrayList<>();
      for (int id = 1; id <= 2; id++) {
        int mine = id;
        AtomicInteger run = new AtomicInteger();
        wrote.add(pool.submit(() -> tx.write(c -> {
          long sum = value(c, 1) + value(c, 2);
          if (run.incrementAndGet() == 1) {
            try {
              bothRead.await(10, TimeUnit.SECONDS);
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
          }
          if (sum != 0) {
            return false;
          }
          try (PreparedStatement s = c.prepareStatement("UPDATE counter SET n = 1 WHERE id = ?")) {
            s.setInt(1, mine);
            s.executeUpdate();
          }
          return true;
        })));
      }
      int writers = 0;
      for (Future<Boolean> f : wrote) {
        writers += f.get(60, TimeUnit.SECONDS) ? 1 : 0;
      }
      assertThat(writers).isEqualTo(1);
      assertThat((long) tx.<Long>read(c -> value(c, 1) + value(c, 2))).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void readsAreOneReadOnlySnapshot() {
    String levels = tx.read(c -> {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(
              "SELECT current_setting('transaction_isolation'),"
                  + " current_setting('transaction_read_only')")) {
        rs.next();
        return rs.getString(1) + "/" + rs.getString(2);
      }
    });
    assertThat(levels).isEqualTo("repeatable read/on");
    assertThatThrownBy(() -> tx.read(c -> {
      PgTransactions.execute(c, "UPDATE counter SET n = 5");
      return null;
    })).isInstanceOf(StorageException.class).hasMessageContaining("25006");
    String writeLevel = tx.write(c -> {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery("SELECT current_setting('transaction_isolation')")) {
        rs.next();
        return rs.getString(1);
      }
    });
    assertThat(writeLevel).isEqualTo("serializable");
  }

  @Test
  void exhaustedRetriesFailRetryably() {
    // retried for at least MIN_WRITE_ATTEMPTS, and then until the budget (here 300 ms) is spent
    PgTransactions shortBudget =
        new PgTransactions(db.pool(), tx.where(), java.time.Duration.ofMillis(300));
    AtomicInteger attempts = new AtomicInteger();
    long start = System.nanoTime();
    assertThatThrownBy(() -> shortBudget.write(c -> {
      attempts.incrementAndGet();
      throw new SQLException("could not serialize access", "40001");
    }))
        .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.isRetryable()).isTrue())
        .hasMessageContaining("after " + attempts.get() + " attempts");
    assertThat(attempts.get()).isGreaterThanOrEqualTo(PgTransactions.MIN_WRITE_ATTEMPTS);
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(300_000_000L);
  }

  @Test
  void aWriteWhoseConnectionDiesFailsRetryablyOnceNamingTheDatabase() {
    AtomicInteger attempts = new AtomicInteger();
    assertThatThrownBy(() -> tx.write(c -> {
      attempts.incrementAndGet();
      PgTransactions.execute(c, "UPDATE counter SET n = 7 WHERE id = 1");
      PgTransactions.execute(c, "SELECT pg_terminate_backend(pg_backend_pid())");
      return null;
    }))
        .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.isRetryable()).isTrue())
        .hasMessageContaining("localhost:" + SERVER.port() + "/postgres")
        .hasMessageContaining("schema " + schema.name())
        .hasMessageNotContaining("secret-password");
    assertThat(attempts.get()).isEqualTo(1); // the outcome of a commit cut short is unknown
    assertThat((long) tx.<Long>read(c -> value(c, 1))).isZero(); // and the pool recovered
  }

  @Test
  void aReadWhoseConnectionDiesIsRunAgain() {
    AtomicInteger attempts = new AtomicInteger();
    long n = tx.<Long>read(c -> {
      if (attempts.incrementAndGet() == 1) {
        PgTransactions.execute(c, "SELECT pg_terminate_backend(pg_backend_pid())");
      }
      return value(c, 2);
    });
    assertThat(n).isZero();
    assertThat(attempts.get()).isEqualTo(2);
  }

  @Test
  void otherErrorsAreNotRetryableAndDomainExceptionsPassThrough() {
    assertThatThrownBy(() -> tx.write(c -> {
      PgTransactions.execute(c, "SELEC 1");
      return null;
    }))
        .isInstanceOfSatisfying(StorageException.class, e -> assertThat(e.isRetryable()).isFalse())
        .hasMessageContaining("42601");
    DiskNotFoundException notFound = new DiskNotFoundException("d1");
    assertThatThrownBy(() -> tx.write(c -> {
      PgTransactions.execute(c, "UPDATE counter SET n = 9 WHERE id = 1");
      throw notFound;
    })).isSameAs(notFound);
    assertThat((long) tx.<Long>read(c -> value(c, 1))).isZero(); // rolled back
  }

  private static long value(Connection c, int id) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT n FROM counter WHERE id = ?")) {
      s.setInt(1, id);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
