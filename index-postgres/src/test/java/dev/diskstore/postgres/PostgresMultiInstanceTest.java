package dev.diskstore.postgres;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.Artifact;
import dev.diskstore.ArtifactVersionPage;
import dev.diskstore.DiskNotFoundException;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.Precondition;
import dev.diskstore.PreconditionFailedException;
import dev.diskstore.testkit.postgres.EmbeddedPostgresServer;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two store instances on one PostgreSQL schema (and one S3 bucket prefix, as two hosts sharing a
 * mount would): conditional writes, reference counts, disk deletes and garbage collection stay
 * correct across instances.
 */
class PostgresMultiInstanceTest {
  private static final EmbeddedPostgresServer SERVER = EmbeddedPostgresServer.shared();
  @TempDir Path dir;
  private DiskStore a;
  private DiskStore b;
  private ExecutorService threads;

  @BeforeEach
  void open() {
    a = PostgresStores.open(dir, null);
    b = PostgresStores.open(dir, null);
    threads = Executors.newFixedThreadPool(8);
  }

  @AfterEach
  void close() {
    threads.shutdownNow();
    a.close();
    b.close();
  }

  private DiskStore store(int i) {
    return i % 2 == 0 ? a : b;
  }

  private <T> List<T> race(int n, java.util.function.IntFunction<Callable<T>> task)
      throws Exception {
    CyclicBarrier start = new CyclicBarrier(n);
    List<Future<T>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Callable<T> work = task.apply(i);
      futures.add(threads.submit(() -> {
        start.await(10, TimeUnit.SECONDS);
        return work.call();
      }));
    }
    List<T> results = new ArrayList<>();
    for (Future<T> f : futures) {
      results.add(f.get(120, TimeUnit.SECONDS));
    }
    return results;
  }

  @Test
  void ifNoneMatchCreatesOnceAcrossInstances() throws Exception {
    String disk = a.disks().create().id();
    List<Boolean> created = race(8, i -> () -> {
      try {
        store(i).disks().artifacts().upsert(disk, FileUpload.of("once.txt", ("by " + i).getBytes(UTF_8)),
            "/", null, Precondition.ifNoneMatch());
        return true;
      } catch (PreconditionFailedException e) {
        return false;
      }
    });
    assertThat(created.stream().filter(x -> x).count()).isEqualTo(1);
  }

  @Test
  void ifMatchIsACompareAndSetAcrossInstances() throws Exception {
    String disk = a.disks().create().id();
    a.disks().artifacts().upsert(disk, FileUpload.of("counter.txt", "0".getBytes(UTF_8)), "/",
        Map.of("n", 0), Precondition.none());
    int perThread = 10;
    AtomicInteger conflicts = new AtomicInteger();
    race(8, i -> () -> {
      DiskStore s = store(i);
      for (int done = 0; done < perThread; ) {
        Artifact current = s.disks().artifacts().get(disk, "/", "counter.txt").artifact();
        int n = ((Number) current.userMeta().get("n")).intValue();
        try {
          s.disks().artifacts().update(disk, "/", "counter.txt", Map.of("n", n + 1),
              Precondition.ifMatch(current.etag()));
          done++;
        } catch (PreconditionFailedException e) {
          conflicts.incrementAndGet();
        }
      }
      return null;
    });
    Artifact last = b.disks().artifacts().get(disk, "/", "counter.txt").artifact();
    assertThat(((Number) last.userMeta().get("n")).intValue()).isEqualTo(8 * perThread);
    assertThat(conflicts.get()).isPositive();
  }

  @Test
  void sameBytesFromBothInstancesAreStoredOnceWithExactReferenceCounts() throws Exception {
    String disk = a.disks().create().id();
    byte[] bytes = "the same bytes".getBytes(UTF_8);
    race(8, i -> () -> {
      for (int j = 0; j < 5; j++) {
        store(i).disks().artifacts().upsert(disk, FileUpload.of("f" + i + "-" + j, bytes));
      }
      return null;
    });
    // 40 artifacts and their 40 versions (History.DEFAULT) reference the one blob
    assertThat(blobRows()).containsExactly(Map.entry(1L, 80L));
    // deleting from both sides brings the count down exactly
    race(8, i -> () -> {
      for (int j = 0; j < 5; j += 2) {
        store(i + 1).disks().artifacts().delete(disk, "/", "f" + i + "-" + j);
      }
      return null;
    });
    // 16 artifacts left, and the 40 versions with content (a deletion's version has none)
    assertThat(blobRows()).containsExactly(Map.entry(1L, 56L));
    assertThat(a.maintenance().verify(true).problems()).isEmpty();
  }

  @Test
  void versionsOfOneFileWrittenFromBothInstancesHaveNoGapOrDuplicate() throws Exception {
    // the collections the two opens started must be over: one running during the writes would
    // apply the default retention (the last 10) to a file that has more versions by then
    a.maintenance().collectGarbage();
    b.maintenance().collectGarbage();
    String disk = a.disks().create().id();
    int perThread = 6;
    race(8, i -> () -> {
      for (int j = 0; j < perThread; j++) {
        store(i).disks().artifacts().upsert(disk,
            FileUpload.of("hot.txt", ("by " + i + " write " + j).getBytes(UTF_8)));
      }
      return null;
    });
    List<Long> numbers = new ArrayList<>();
    String cursor = null;
    do {
      ArtifactVersionPage page = b.disks().artifacts().versions(disk, "/", "hot.txt", 7, cursor);
      page.items().forEach(v -> numbers.add(v.version()));
      cursor = page.nextCursor().orElse(null);
    } while (cursor != null);
    List<Long> expected = new ArrayList<>();
    for (long v = 8L * perThread - 1; v >= 0; v--) {
      expected.add(v);
    }
    assertThat(numbers).isEqualTo(expected);
    assertThat(a.maintenance().verify(true).problems()).isEmpty();
  }

  @Test
  void aDiskDeletedWhileTheOtherInstanceUpsertsIntoItLeavesNothingBehind() throws Exception {
    for (int round = 0; round < 5; round++) {
      String disk = a.disks().create().id();
      int r = round;
      race(4, i -> () -> {
        if (i == 0) {
          Thread.sleep(3);
          a.disks().delete(disk);
          return null;
        }
        for (int j = 0; j < 20; j++) {
          try {
            b.disks().artifacts().upsert(disk,
                FileUpload.of("x" + i + "-" + j, ("round " + r + " " + i + " " + j).getBytes(UTF_8)),
                "/d" + j + "/");
          } catch (DiskNotFoundException e) {
            return null;
          }
        }
        return null;
      });
      assertThat(a.disks().find(disk)).isEmpty();
    }
    a.maintenance().collectGarbage();
    assertThat(b.maintenance().verify(true).problems()).isEmpty();
    assertThat(count("SELECT count(*) FROM %s.artifacts")).isZero();
    assertThat(count("SELECT count(*) FROM %s.directories")).isZero();
    assertThat(count("SELECT count(*) FROM %s.blobs")).isZero();
  }

  @Test
  void anInstanceWhoseLivenessSessionIsCutKeepsWorkingAndLosesNothingToTheOthersCollection()
      throws Exception {
    String disk = a.disks().create().id();
    a.disks().artifacts().upsert(disk, FileUpload.of("kept.txt", "kept".getBytes(UTF_8)));
    String ownerBefore = ownerOf("kept.txt");
    int cut = execute("SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks l JOIN %s.owners o"
        + " ON l.objid::bigint = o.lock_key WHERE l.locktype = 'advisory' AND l.objsubid = 2"
        + " AND o.id = '" + ownerBefore + "'");
    assertThat(cut).isEqualTo(1);
    // b's collection finds a's old owner dead (its lock is gone) and may declare it so; a's
    // committed blob stays
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    String ownerAfter = ownerBefore;
    while (ownerAfter.equals(ownerBefore) && System.nanoTime() < deadline) {
      b.maintenance().collectGarbage();
      Thread.sleep(100);
      a.disks().artifacts().upsert(disk, FileUpload.of("new.txt",
          ("new " + System.nanoTime()).getBytes(UTF_8)));
      ownerAfter = ownerOf("new.txt");
    }
    assertThat(ownerAfter).as("a registered again under a new owner").isNotEqualTo(ownerBefore);
    b.maintenance().collectGarbage();
    assertThat(a.disks().artifacts().get(disk, "/", "kept.txt").artifact().sizeBytes())
        .isEqualTo(4);
    assertThat(b.maintenance().verify(true).problems()).isEmpty();
  }

  private String ownerOf(String filename) throws SQLException {
    try (Connection c = SERVER.adminDataSource().getConnection();
        PreparedStatement s = c.prepareStatement(String.format(
            "SELECT b.key FROM %1$s.artifacts a JOIN %1$s.blobs b ON b.sha256 = a.sha256"
                + " WHERE a.filename = ?", schema()))) {
      s.setString(1, filename);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getString(1).substring(3, 35);
      }
    }
  }

  private List<Map.Entry<Long, Long>> blobRows() throws SQLException {
    List<Map.Entry<Long, Long>> rows = new ArrayList<>();
    try (Connection c = SERVER.adminDataSource().getConnection();
        PreparedStatement s = c.prepareStatement(
            String.format("SELECT count(*), sum(ref_count) FROM %s.blobs", schema()));
        ResultSet rs = s.executeQuery()) {
      rs.next();
      rows.add(Map.entry(rs.getLong(1), rs.getLong(2)));
    }
    return rows;
  }

  private long count(String sql) throws SQLException {
    return execute(sql);
  }

  private int execute(String sql) throws SQLException {
    try (Connection c = SERVER.adminDataSource().getConnection();
        PreparedStatement s = c.prepareStatement(String.format(sql, schema()));
        ResultSet rs = s.executeQuery()) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private String schema() {
    return PostgresStores.indexFor(dir).schema();
  }
}
