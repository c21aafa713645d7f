package dev.diskstore.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.DiskStore;
import dev.diskstore.spi.index.IndexContext;
import dev.diskstore.spi.index.MetadataIndex;
import dev.diskstore.testkit.postgres.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * At most one garbage collector per store across hosts: the PostgreSQL index's collection lease is
 * a session advisory lock, taken by one instance at a time, released by the server when the
 * holder's connection dies, and waited for by an explicit collection of another instance.
 */
class PgCollectionLeaseTest {
  private static final EmbeddedPostgresServer SERVER = EmbeddedPostgresServer.shared();
  @TempDir Path dir;

  private MetadataIndex open() {
    return PostgresStores.indexFor(dir).open(new IndexContext(
        Optional.empty(), Duration.ofSeconds(5), 2, true, Clock.systemUTC()));
  }

  private static int lockHolders() throws Exception {
    try (Connection c = SERVER.adminDataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 0"
                + " AND objsubid = 2 AND granted")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  @Test
  void oneInstanceAtATimeHoldsTheLeaseAndADeadHolderReleasesIt() throws Exception {
    try (MetadataIndex a = open(); MetadataIndex b = open()) {
      MetadataIndex.CollectionLease first = a.tryLockCollection().orElseThrow();
      assertThat(b.tryLockCollection()).isEmpty();
      assertThat(a.tryLockCollection()).as("not re-entrant").isEmpty();
      first.close();
      first.close(); // idempotent
      assertThat(lockHolders()).isZero();
      MetadataIndex.CollectionLease second = b.tryLockCollection().orElseThrow();
      assertThat(a.tryLockCollection()).isEmpty();
      // the holder's connection dies (its host vanished): the server frees the role
      try (Connection c = SERVER.adminDataSource().getConnection();
          Statement s = c.createStatement()) {
        s.execute("SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory'"
            + " AND objid = 0 AND objsubid = 2 AND granted");
      }
      MetadataIndex.CollectionLease third = null;
      for (int i = 0; i < 100 && third == null; i++) {
        third = a.tryLockCollection().orElse(null);
        Thread.sleep(20);
      }
      assertThat(third).as("taken over after the holder's session ended").isNotNull();
      second.close(); // on a dead connection: must neither throw nor release the new holder's
      assertThat(b.tryLockCollection()).isEmpty();
      third.close();
    }
  }

  @Test
  void anExplicitCollectionWaitsForTheInstanceThatCollects() throws Exception {
    try (DiskStore store = PostgresStores.open(dir, null); MetadataIndex other = open()) {
      store.maintenance().collectGarbage(); // the collection after open is over
      MetadataIndex.CollectionLease held = other.tryLockCollection().orElseThrow();
      CompletableFuture<?> collection =
          CompletableFuture.runAsync(() -> store.maintenance().collectGarbage());
      Thread.sleep(500);
      assertThat(collection).as("waits while another instance collects").isNotDone();
      held.close();
      collection.get(10, TimeUnit.SECONDS);
      assertThat(lockHolders()).isZero();
    }
  }
}
