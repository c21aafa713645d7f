package dev.diskstore.reliability;

import dev.diskstore.testkit.postgres.EmbeddedPostgresServer;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;

/**
 * What PostgreSQL says about a schema's owners (the instances that registered in it), read with the
 * embedded server's admin connection: which are recorded dead, and which still hold the session
 * advisory lock that makes them alive to other instances.
 */
final class PgOwners {
  private PgOwners() {}

  /** Owners recorded dead. */
  static Set<String> recordedDead(EmbeddedPostgresServer postgres, String schema)
      throws SQLException {
    return ids(postgres, "SELECT id FROM \"" + schema + "\".owners WHERE state = 'dead'");
  }

  /** Owners recorded alive, whether or not their session still holds its lock. */
  static Set<String> recordedAlive(EmbeddedPostgresServer postgres, String schema)
      throws SQLException {
    return ids(postgres, "SELECT id FROM \"" + schema + "\".owners WHERE state = 'alive'");
  }

  /**
   * Owners recorded alive that hold the advisory lock of their key: the live ones. (An owner
   * whose session died stays recorded alive until a collector that meets its blobs, or its own
   * instance's close, declares it dead.)
   */
  static Set<String> holdingTheirLock(EmbeddedPostgresServer postgres, String schema)
      throws SQLException {
    return ids(postgres, "SELECT o.id FROM \"" + schema + "\".owners o WHERE o.state = 'alive'"
        + " AND EXISTS (SELECT 1 FROM pg_catalog.pg_locks l WHERE l.locktype = 'advisory'"
        + " AND l.granted AND l.objsubid = 2 AND l.objid::bigint = o.lock_key)");
  }

  /**
   * Waits until no owner of {@code schema} holds its lock. A killed process's sessions end when
   * their backends read EOF on the socket, a moment after the kill (longer on a loaded machine);
   * until then the killed instance is alive as far as any other instance can tell, and a collection
   * rightly leaves its blobs alone.
   *
   * @throws AssertionError if a lock is still held after {@code timeout}
   */
  static void awaitNoneHoldingTheirLock(
      EmbeddedPostgresServer postgres, String schema, Duration timeout)
      throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    Set<String> holding = holdingTheirLock(postgres, schema);
    while (!holding.isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "owners still hold their session lock after " + timeout + ": " + holding);
      }
      Thread.sleep(20);
      holding = holdingTheirLock(postgres, schema);
    }
  }

  private static Set<String> ids(EmbeddedPostgresServer postgres, String sql)
      throws SQLException {
    Set<String> ids = new TreeSet<>();
    try (Connection c = postgres.adminDataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        ids.add(rs.getString(1));
      }
    }
    return ids;
  }
}
