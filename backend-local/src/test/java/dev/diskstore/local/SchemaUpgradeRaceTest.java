package dev.diskstore.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.testkit.ChildJvm;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two JVMs open a store of the previous schema (6, with {@code artifact_versions_by_time}) at the
 * same moment and write to it, {@value #ROUNDS} times (the store is put back to schema 6 between
 * rounds): each upgrade to schema 7 runs once, under the index's write lock (a second run of its
 * {@code DROP INDEX} would fail that JVM's open), and every artifact and version written in any
 * round, and the one written before, is there afterwards.
 */
class SchemaUpgradeRaceTest {
  private static final int WORKERS = 2;
  private static final int ROUNDS = 15;
  private static final int UPSERTS = 3;

  @Test
  void twoJvmsUpgradingOneStoreAtOnceMigrateItOnceAndLoseNothing(@TempDir Path tmp)
      throws Exception {
    Path storeDir = tmp.resolve("store");
    String disk;
    try (DiskStore store = DiskStore.local(storeDir)) {
      disk = store.disks().create().id();
      store.disks().artifacts().upsert(disk, FileUpload.of("before.txt", bytes("before")), "/");
    }
    Path index = storeDir.resolve("index.db");
    List<Process> workers = new ArrayList<>();
    for (int w = 0; w < WORKERS; w++) {
      workers.add(ChildJvm.start(Worker.class, List.of("-Xmx128m"),
          List.of(storeDir.toString(), disk, "w" + w, tmp.toString()),
          tmp.resolve("w" + w + ".out")));
    }
    for (int round = 0; round < ROUNDS; round++) {
      awaitAll(tmp, "ready-" + round, workers);
      // back to schema 6 as it was released, while no worker has the store open
      sql(index, "CREATE INDEX artifact_versions_by_time ON artifact_versions (changed_at)");
      sql(index, "PRAGMA user_version = 6");
      Files.writeString(tmp.resolve("go-" + round), "go");
    }
    for (int w = 0; w < WORKERS; w++) {
      Process worker = workers.get(w);
      assertThat(worker.waitFor(120, TimeUnit.SECONDS)).as("worker %d finished", w).isTrue();
      assertThat(worker.exitValue()).as("worker %d; output:%n%s", w,
          ChildJvm.output(tmp.resolve("w" + w + ".out"))).isZero();
    }

    assertThat(query(index, "PRAGMA user_version")).isEqualTo("7");
    assertThat(query(index, "SELECT count(*) FROM sqlite_master WHERE name = "
        + "'artifact_versions_by_time'")).isEqualTo("0");
    try (DiskStore store = DiskStore.local(storeDir)) {
      assertThat(store.disks().artifacts().get(disk, "/", "before.txt").artifact().sizeBytes())
          .isEqualTo(6);
      for (int w = 0; w < WORKERS; w++) {
        for (int round = 0; round < ROUNDS; round++) {
          for (int i = 0; i < UPSERTS; i++) {
            String name = round + "-" + i + ".txt";
            assertThat(store.disks().artifacts().versions(disk, "/w" + w + "/", name, 10, null)
                .items()).as("w%d %s", w, name).hasSize(1);
          }
        }
      }
      assertThat(store.maintenance().verify(true).problems()).isEmpty();
    }
  }

  /** Waits until every worker has written {@code <name>.<worker>} (or one has exited). */
  private static void awaitAll(Path tmp, String name, List<Process> workers) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (int w = 0; w < workers.size(); w++) {
      while (!Files.exists(tmp.resolve(name + ".w" + w))) {
        assertThat(workers.get(w).isAlive()).as("worker %d alive; output:%n%s", w,
            ChildJvm.output(tmp.resolve("w" + w + ".out"))).isTrue();
        assertThat(System.nanoTime()).as("worker %d: %s within 60 s", w, name).isLessThan(deadline);
        Thread.sleep(2);
      }
    }
  }

  /**
   * Per round: says it is ready (store closed), waits for the go file, opens the store (upgrading
   * it if it is still at schema 6), upserts {@value #UPSERTS} files, closes.
   */
  public static final class Worker {
    public static void main(String[] args) throws Exception {
      Path storeDir = Path.of(args[0]);
      String disk = args[1];
      String name = args[2];
      Path tmp = Path.of(args[3]);
      // load the store's classes on a scratch store first, so that both JVMs reach the upgrade
      // within about a millisecond of the go file, inside each other's upgrade transaction
      try (DiskStore warm = DiskStore.local(tmp.resolve("warm-" + name))) {
        warm.disks().artifacts().upsert(warm.disks().create().id(),
            FileUpload.of("warm.txt", bytes("warm")), "/");
      }
      for (int round = 0; round < ROUNDS; round++) {
        Files.writeString(tmp.resolve("ready-" + round + "." + name), "ready");
        Path go = tmp.resolve("go-" + round);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!Files.exists(go)) {
          if (System.nanoTime() > deadline) {
            System.exit(3);
          }
          Thread.onSpinWait();
        }
        try (DiskStore store = DiskStore.local(storeDir)) {
          for (int i = 0; i < UPSERTS; i++) {
            store.disks().artifacts().upsert(disk,
                FileUpload.of(round + "-" + i + ".txt", bytes(name + round + i)), "/" + name + "/");
          }
        }
      }
    }
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void sql(Path db, String statement) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement()) {
      s.execute(statement);
    }
  }

  private static String query(Path db, String statement) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(statement)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
