package dev.diskstore.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.testkit.postgres.EmbeddedPostgresServer;
import dev.diskstore.testkit.postgres.EmbeddedPostgresServer.FreshSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link PgLiveness} with a real server: instances see each other alive, a lost session is seen
 * dead and its instance comes back as a new owner.
 */
class PgLivenessTest {
  private static final EmbeddedPostgresServer SERVER = EmbeddedPostgresServer.shared();
  private FreshSchema schema;
  private PgDatabase db;

  @BeforeEach
  void open() {
    schema = SERVER.freshSchema();
    db = PgDatabase.open(config(schema.name()));
  }

  @AfterEach
  void close() {
    db.close();
    schema.close();
  }

  private static PostgresIndex config(String schema) {
    return PostgresIndex.builder().jdbcUrl(SERVER.jdbcUrl()).user(SERVER.user()).password("x")
        .schema(schema).ownerTimeout(Duration.ofMillis(1_200)).build();
  }

  @Test
  void liveOwnersAreAlwaysSeenAliveByEachOther() throws Exception {
    try (PgLiveness a = new PgLiveness(db);
        PgLiveness b = new PgLiveness(db)) {
      assertThat(a.id()).matches("[0-9a-f]{32}").isNotEqualTo(b.id());
      long until = System.nanoTime() + Duration.ofMillis(2_500).toNanos(); // two owner timeouts
      int probes = 0;
      while (System.nanoTime() < until) {
        assertThat(a.isAlive(b.id())).isTrue();
        assertThat(b.isAlive(a.id())).isTrue();
        probes++;
        Thread.sleep(20);
      }
      assertThat(probes).isGreaterThan(20);
      assertThat(a.epoch()).isZero(); // the heartbeat kept the sessions alive past the timeout
      assertThat(b.epoch()).isZero();
      assertThat(state(a.id())).isEqualTo("alive");
    }
  }

  @Test
  void aTerminatedSessionIsSeenDeadAndItsInstanceRegistersAsANewOwner() throws Exception {
    try (PgLiveness a = new PgLiveness(db);
        PgLiveness b = new PgLiveness(db)) {
      String before = b.id();
      admin("SELECT pg_terminate_backend(" + b.backendPid() + ")");
      await(() -> !a.isAlive(before), "the terminated owner seen dead");
      await(() -> !b.id().equals(before), "a new owner id for the terminated instance");
      String after = b.id();
      assertThat(b.epoch()).isEqualTo(1);
      assertThat(a.isAlive(after)).isTrue();
      assertThat(b.isAlive(before)).isFalse(); // its own old epoch is dead too
      // the new epoch ended the old one in the index as it registered (the commit fence now
      // refuses uploads still in flight under it); the new one has its own lock key
      assertThat(state(before)).isEqualTo("dead");
      assertThat(lockKey(after)).isGreaterThan(lockKey(before));
      b.close();
      assertThat(state(before)).isEqualTo("dead"); // close declares every epoch dead
      assertThat(state(after)).isEqualTo("dead");
    }
  }

  @Test
  void aStalledInstanceIsEndedByTheServerAfterTheOwnerTimeout() throws Exception {
    try (PgLiveness a = new PgLiveness(db);
        PgLiveness b = new PgLiveness(db)) {
      String before = b.id();
      b.suspendHeartbeat(true); // a frozen process or a partitioned host
      await(() -> !a.isAlive(before), "the silent owner seen dead");
      b.suspendHeartbeat(false);
      await(() -> !b.id().equals(before), "the instance back as a new owner");
      assertThat(a.isAlive(b.id())).isTrue();
    }
  }

  @Test
  void anOwnerRecordedDeadWhileAliveStartsANewEpoch() throws Exception {
    try (PgLiveness a = new PgLiveness(db)) {
      String before = a.id();
      admin("UPDATE " + schema.name() + ".owners SET state = 'dead' WHERE id = '" + before + "'");
      await(() -> !a.id().equals(before), "a new owner id");
      assertThat(state(a.id())).isEqualTo("alive");
    }
  }

  @Test
  void closedUnknownAndLocklessOwnersAreDead() throws Exception {
    try (PgLiveness a = new PgLiveness(db)) {
      PgLiveness b = new PgLiveness(db);
      String closed = b.id();
      b.close();
      b.close(); // idempotent
      assertThat(a.isAlive(closed)).isFalse();
      assertThat(state(closed)).isEqualTo("dead");
      assertThat(a.isAlive("0123456789abcdef0123456789abcdef")).isFalse();
      // an owner copied from a SQLite store has no lock key: it cannot be running here
      admin("INSERT INTO " + schema.name() + ".owners (id, state, registered_at)"
          + " VALUES ('fedcba9876543210fedcba9876543210', 'alive', 0)");
      assertThat(a.isAlive("fedcba9876543210fedcba9876543210")).isFalse();
    }
  }

  @Test
  void ownersOfAnotherSchemaWithTheSameLockKeyDoNotCount() throws Exception {
    try (FreshSchema otherSchema = SERVER.freshSchema();
        PgDatabase other = PgDatabase.open(config(otherSchema.name()));
        PgLiveness elsewhere = new PgLiveness(other)) {
      PgLiveness b = new PgLiveness(db);
      String id = b.id();
      b.close();
      // a dead owner of this schema whose row still says alive (it crashed), with the lock key
      // that the live owner of the other schema holds there
      admin("UPDATE " + schema.name() + ".owners SET state = 'alive' WHERE id = '" + id + "'");
      assertThat(lockKey(id)).isEqualTo(1);
      assertThat(query("SELECT lock_key FROM " + otherSchema.name() + ".owners WHERE id = '"
          + elsewhere.id() + "'")).isEqualTo("1");
      try (PgLiveness a = new PgLiveness(db)) {
        assertThat(a.isAlive(id)).isFalse();
      }
      try (PgLiveness c = new PgLiveness(other)) {
        assertThat(c.isAlive(elsewhere.id())).isTrue();
      }
    }
  }

  private String state(String owner) throws SQLException {
    return query("SELECT state FROM " + schema.name() + ".owners WHERE id = '" + owner + "'");
  }

  private long lockKey(String owner) throws SQLException {
    return Long.parseLong(
        query("SELECT lock_key FROM " + schema.name() + ".owners WHERE id = '" + owner + "'"));
  }

  private static String query(String sql) throws SQLException {
    try (Connection c = SERVER.adminDataSource().getConnection();
        PreparedStatement s = c.prepareStatement(sql);
        ResultSet rs = s.executeQuery()) {
      assertThat(rs.next()).as(sql).isTrue();
      return rs.getString(1);
    }
  }

  private static void admin(String sql) throws SQLException {
    try (Connection c = SERVER.adminDataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(20);
    }
  }
}
