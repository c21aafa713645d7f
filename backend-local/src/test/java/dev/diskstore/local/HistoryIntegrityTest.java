package dev.diskstore.local;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.ArtifactVersion;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.GetOptions;
import dev.diskstore.VerifyReport;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code verify()} covers the history: version rows count in their blobs' reference counts, and a
 * version whose blob row is gone is reported. The damage is made inside {@code index.db} with
 * plain SQL, as a broken tool or a bad restore would.
 */
class HistoryIntegrityTest {
  @TempDir Path dir;

  private String disk;

  private String setUp() {
    try (DiskStore store = DiskStore.local(dir)) {
      disk = store.disks().create().id();
      store.disks().artifacts().upsert(disk, FileUpload.ofText("a.txt", "first"), "/");
      store.disks().artifacts().upsert(disk, FileUpload.ofText("a.txt", "second"), "/");
      assertThat(store.maintenance().verify(true).problems()).isEmpty();
      return store.disks().artifacts()
          .get(disk, "/", "a.txt", GetOptions.builder().version(0).build())
          .artifact().sha256();
    }
  }

  private void sql(String statement) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.db"));
        var s = c.createStatement()) {
      s.execute(statement);
    }
  }

  @Test
  void aVersionRowMissingFromItsBlobsCountIsReported() throws Exception {
    String firstSha = setUp();
    sql("DELETE FROM artifact_versions WHERE version = 0");
    try (DiskStore store = DiskStore.open(
        dev.diskstore.DiskStoreConfig.builder().directory(dir)
            .backend(LocalBlobBackend.at(dir.resolve("blobs"))).collectGarbageOnOpen(false)
            .build())) {
      VerifyReport report = store.maintenance().verify();
      assertThat(report.problems())
          .anySatisfy(p -> {
            assertThat(p.kind()).isEqualTo(VerifyReport.Kind.REFCOUNT_MISMATCH);
            assertThat(p.detail()).contains(firstSha).contains("0 artifact(s) and 0 version(s)");
          });
    }
  }

  @Test
  void aVersionWhoseBlobRowIsGoneIsReported() throws Exception {
    String firstSha = setUp();
    sql("DELETE FROM blobs WHERE sha256 = '" + firstSha + "'");
    try (DiskStore store = DiskStore.open(
        dev.diskstore.DiskStoreConfig.builder().directory(dir)
            .backend(LocalBlobBackend.at(dir.resolve("blobs"))).collectGarbageOnOpen(false)
            .build())) {
      VerifyReport report = store.maintenance().verify();
      assertThat(report.problems())
          .anySatisfy(p -> {
            assertThat(p.kind()).isEqualTo(VerifyReport.Kind.MISSING_BLOB);
            assertThat(p.detail()).contains("version 0 of artifact /a.txt").contains(firstSha);
          });
    }
  }

  @Test
  void anUpgradedStoreStartsEachArtifactsHistoryAtVersionZero() throws Exception {
    setUp();
    // as a store of schema 5 would be: no history, reference counts of artifacts only
    sql("DELETE FROM artifact_versions");
    sql("DELETE FROM blobs WHERE sha256 NOT IN (SELECT sha256 FROM artifacts)");
    sql("UPDATE blobs SET ref_count = (SELECT count(*) FROM artifacts a"
        + " WHERE a.sha256 = blobs.sha256)");
    sql("DROP TABLE artifact_versions");
    sql("PRAGMA user_version = 5");
    try (DiskStore store = DiskStore.local(dir)) {
      var versions = store.disks().artifacts().versions(disk, "/", "a.txt").items();
      assertThat(versions).extracting(ArtifactVersion::version).containsExactly(0L);
      assertThat(versions.get(0).artifact().orElseThrow())
          .isEqualTo(store.disks().artifacts().get(disk, "/", "a.txt").artifact());
      store.disks().artifacts().delete(disk, "/", "a.txt");
      store.disks().artifacts().restore(disk, "/", "a.txt", 0);
      try (InputStream in = store.disks().artifacts().open(disk, "/", "a.txt")) {
        assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("second");
      } catch (IOException e) {
        throw new AssertionError(e);
      }
      assertThat(store.maintenance().verify(true).problems()).isEmpty();
    }
  }

  @Test
  void twoInstancesOnOneDirectoryNumberVersionsWithoutGapOrDuplicate() throws Exception {
    try (DiskStore a = DiskStore.local(dir);
        DiskStore b = DiskStore.local(dir)) {
      String shared = a.disks().create().id();
      int threads = 8;
      int perThread = 6;
      var pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
      try {
        var futures = new java.util.ArrayList<java.util.concurrent.Future<?>>();
        for (int t = 0; t < threads; t++) {
          DiskStore store = t % 2 == 0 ? a : b;
          int thread = t;
          futures.add(pool.submit(() -> {
            for (int i = 0; i < perThread; i++) {
              store.disks().artifacts().upsert(shared,
                  FileUpload.ofText("hot.txt", "thread " + thread + " write " + i), "/");
            }
            return null;
          }));
        }
        for (var f : futures) {
          f.get(60, java.util.concurrent.TimeUnit.SECONDS);
        }
      } finally {
        pool.shutdownNow();
      }
      var numbers = new java.util.ArrayList<Long>();
      String cursor = null;
      do {
        var page = b.disks().artifacts().versions(shared, "/", "hot.txt", 5, cursor);
        page.items().forEach(v -> numbers.add(v.version()));
        cursor = page.nextCursor().orElse(null);
      } while (cursor != null);
      var expected = new java.util.ArrayList<Long>();
      for (long v = (long) threads * perThread - 1; v >= 0; v--) {
        expected.add(v);
      }
      assertThat(numbers).isEqualTo(expected);
      assertThat(a.maintenance().verify(true).problems()).isEmpty();
    }
  }
}
