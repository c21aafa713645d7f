package dev.diskstore.local;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.Artifact;
import dev.diskstore.DiskStore;
import dev.diskstore.FileUpload;
import dev.diskstore.GcOptions;
import dev.diskstore.GcReport;
import dev.diskstore.TextHit;
import dev.diskstore.VerifyReport;
import dev.diskstore.VerifyReport.Kind;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The write protocol without a pending-write row (blob keys name their owner) and the full-text
 * index maintained outside the upsert's commit, on a real directory and real SQLite files.
 */
class WriteOwnershipAndTextQueueTest {
  @TempDir Path dir;

  private static final String UNKNOWN_OWNER = "0123456789abcdef0123456789abcdef";

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Writes an object straight into the store's blob directory, as a writer would. */
  private void putRawBlob(String key, String content) {
    try (LocalBlobBackend raw = LocalBlobBackend.at(dir.resolve("blobs"))) {
      raw.write(key, new ByteArrayInputStream(utf8(content)), OptionalLong.empty());
    }
  }

  private boolean rawBlobExists(String key) {
    try (LocalBlobBackend raw = LocalBlobBackend.at(dir.resolve("blobs"))) {
      return raw.stat(key).isPresent();
    }
  }

  private List<String> ownerIds() throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("owners"))) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".lock"))
          .map(n -> n.substring(0, n.length() - ".lock".length()))
          .toList();
    }
  }

  private <T> T sql(SqlWork<T> work) throws SQLException {
    return sql("index.db", work);
  }

  private <T> T sql(String file, SqlWork<T> work) throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve(file))) {
      c.createStatement().execute("PRAGMA busy_timeout = 10000");
      return work.run(c);
    }
  }

  private interface SqlWork<T> {
    T run(Connection c) throws SQLException;
  }

  private int count(String query) throws SQLException {
    return count("index.db", query);
  }

  private int count(String file, String query) throws SQLException {
    return sql(file, c -> {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(query)) {
        rs.next();
        return rs.getInt(1);
      }
    });
  }

  /** The file of the text index's current generation. */
  private String textDb() throws SQLException {
    return "text-" + sql(c -> {
      try (Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(
              "SELECT value FROM store_meta WHERE key = 'text_generation'")) {
        rs.next();
        return rs.getString(1);
      }
    }) + ".db";
  }

  /** Queue entries the text index has not applied yet. */
  private int unapplied() throws SQLException {
    int watermark = count(textDb(), "SELECT value FROM text_state WHERE key = 'watermark'");
    return count("SELECT count(*) FROM text_queue WHERE seq > " + watermark);
  }

  private void awaitTextIndexed() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (unapplied() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(unapplied()).as("applied in the background, without a query").isZero();
  }

  /** The owner id of another instance of the store, opened and closed again: a dead writer. */
  private String deadOwner() throws IOException {
    List<String> before = ownerIds();
    try (DiskStore other = DiskStore.local(dir)) {
      return ownerIds().stream().filter(id -> !before.contains(id)).findFirst().orElseThrow();
    }
  }

  @Test
  void anObjectOfADeadOwnerIsAbandonedWriteGarbage() throws IOException {
    try (DiskStore store = DiskStore.local(dir)) {
      String owner = deadOwner();
      String key = "0a/" + owner + "-0123456789abcdef";
      putRawBlob(key, "left by a writer that crashed before its commit");
      VerifyReport report = store.maintenance().verify();
      assertThat(report.problems())
          .singleElement()
          .satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.UNCOLLECTED_GARBAGE);
            assertThat(p.subject()).isEqualTo(key);
            assertThat(p.detail()).contains(owner);
          });
      GcReport gc = store.maintenance().collectGarbage();
      assertThat(gc).isEqualTo(new GcReport(1, 0, 0, 0));
      assertThat(rawBlobExists(key)).isFalse();
      assertThat(store.maintenance().verify().isClean()).isTrue();
    }
  }

  @Test
  void anObjectOfAWriterThisStoreNeverKnewIsKeptUnlessAsked() {
    String key = "0a/" + UNKNOWN_OWNER + "-0123456789abcdef";
    try (DiskStore store = DiskStore.local(dir)) {
      putRawBlob(key, "written by another store sharing the directory, or by an older version");
      assertThat(store.maintenance().verify().problems())
          .singleElement()
          .satisfies(p -> {
            assertThat(p.kind()).isEqualTo(Kind.ORPHAN_BLOB);
            assertThat(p.subject()).isEqualTo(key);
          });
      assertThat(store.maintenance().collectGarbage()).isEqualTo(new GcReport(0, 0, 0, 1));
      assertThat(rawBlobExists(key)).as("never deleted automatically").isTrue();
      assertThat(store.maintenance().collectGarbage(GcOptions.deletingUnknownObjects()))
          .isEqualTo(new GcReport(0, 0, 1, 0));
      assertThat(rawBlobExists(key)).isFalse();
      assertThat(store.maintenance().verify().isClean()).isTrue();
    }
  }

  @Test
  void theTemporaryFileOfAWriteWhoseOwnerDiedIsCollected() throws IOException {
    Path objects = dir.resolve("blobs").resolve("objects");
    try (DiskStore store = DiskStore.local(dir)) {
      String deadKey = "0b/" + deadOwner() + "-00000000000000cc";
      String unknownKey = "0d/" + UNKNOWN_OWNER + "-00000000000000cc";
      String strayKey = "0c/not-a-store-key";
      for (String key : List.of(deadKey, unknownKey, strayKey)) {
        Path partial = objects.resolve(key + ".blob.partial");
        Files.createDirectories(partial.getParent());
        Files.writeString(partial, "half of a write");
      }
      try (LocalBlobBackend raw = LocalBlobBackend.at(dir.resolve("blobs"));
          Stream<String> incomplete = raw.listIncomplete("")) {
        assertThat(incomplete).containsExactlyInAnyOrder(deadKey, unknownKey, strayKey);
      }
      assertThat(store.maintenance().verify().problems())
          .filteredOn(p -> p.kind() == Kind.UNCOLLECTED_GARBAGE)
          .singleElement()
          .satisfies(p -> assertThat(p.subject()).isEqualTo(deadKey));
      assertThat(store.maintenance().collectGarbage()).isEqualTo(new GcReport(1, 0, 0, 2));
      assertThat(objects.resolve(deadKey + ".blob.partial")).doesNotExist();
      assertThat(objects.resolve(strayKey + ".blob.partial"))
          .as("an unfinished write under a key no writer of this store made is not judged")
          .exists();
      assertThat(objects.resolve(unknownKey + ".blob.partial")).exists();
    }
  }

  @Test
  void anObjectOfAnotherLiveStoreIsLeftAloneUntilThatStoreCloses() throws IOException {
    try (DiskStore first = DiskStore.local(dir)) {
      List<String> before = ownerIds();
      String key;
      try (DiskStore second = DiskStore.local(dir)) {
        String secondOwner =
            ownerIds().stream().filter(id -> !before.contains(id)).findFirst().orElseThrow();
        key = "7f/" + secondOwner + "-00000000000000aa";
        putRawBlob(key, "being written by the second store");
        assertThat(first.maintenance().verify().problems()).isEmpty();
        assertThat(first.maintenance().collectGarbage().total()).isZero();
        assertThat(rawBlobExists(key)).isTrue();
      }
      assertThat(first.maintenance().collectGarbage()).isEqualTo(new GcReport(1, 0, 0, 0));
      assertThat(rawBlobExists(key)).isFalse();
    }
  }

  @Test
  void aStoreCollectsItsOwnKeysThatAreNotInFlight() {
    try (DiskStore store = DiskStore.local(dir)) {
      String ownOwner;
      try {
        ownOwner = ownerIds().get(0);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      String key = "01/" + ownOwner + "-00000000000000bb";
      putRawBlob(key, "an upsert of this store that failed and could not clean up");
      assertThat(store.maintenance().verify().problems())
          .singleElement()
          .satisfies(p -> assertThat(p.kind()).isEqualTo(Kind.UNCOLLECTED_GARBAGE));
      assertThat(store.maintenance().collectGarbage()).isEqualTo(new GcReport(1, 0, 0, 0));
    }
  }

  @Test
  void anObjectWhoseKeyNamesNoOwnerIsAnOrphanKeptUnlessAsked() {
    try (DiskStore store = DiskStore.local(dir)) {
      putRawBlob("zz/not-a-store-key", "dropped here by hand");
      assertThat(store.maintenance().verify().problems())
          .singleElement()
          .satisfies(p -> assertThat(p.kind()).isEqualTo(Kind.ORPHAN_BLOB));
      assertThat(store.maintenance().collectGarbage()).isEqualTo(new GcReport(0, 0, 0, 1));
      assertThat(rawBlobExists("zz/not-a-store-key")).isTrue();
      assertThat(store.maintenance().collectGarbage(GcOptions.deletingUnknownObjects()))
          .isEqualTo(new GcReport(0, 0, 1, 0));
      assertThat(rawBlobExists("zz/not-a-store-key")).isFalse();
    }
  }

  @Test
  void garbageCollectionDuringAnUpsertLeavesItsBytesAlone() throws Exception {
    try (DiskStore store = DiskStore.local(dir)) {
      String disk = store.disks().create().id();
      CountDownLatch halfWritten = new CountDownLatch(1);
      CountDownLatch resume = new CountDownLatch(1);
      byte[] first = new byte[200_000];
      byte[] second = new byte[200_000];
      java.util.Arrays.fill(first, (byte) 'a');
      java.util.Arrays.fill(second, (byte) 'b');
      InputStream gate =
          new InputStream() {
            @Override
            public int read() throws IOException {
              halfWritten.countDown();
              try {
                if (!resume.await(30, TimeUnit.SECONDS)) {
                  throw new IOException("test timed out");
                }
              } catch (InterruptedException e) {
                throw new IOException(e);
              }
              return -1;
            }
          };
      InputStream slow =
          new SequenceInputStream(
              java.util.Collections.enumeration(
                  List.of(new ByteArrayInputStream(first), gate, new ByteArrayInputStream(second))));
      CompletableFuture<Artifact> upsert =
          CompletableFuture.supplyAsync(
              () -> store.disks().artifacts().upsert(disk, FileUpload.of("big.bin", slow), "/"));
      assertThat(halfWritten.await(30, TimeUnit.SECONDS)).isTrue();
      // half the bytes are on disk under the in-flight key: nothing may be collected or reported
      assertThat(store.maintenance().collectGarbage().total()).isZero();
      assertThat(store.maintenance().verify().problems()).isEmpty();
      resume.countDown();
      Artifact done = upsert.get(30, TimeUnit.SECONDS);
      assertThat(done.info().sizeBytes()).isEqualTo(400_000);
      assertThat(store.maintenance().collectGarbage().total()).isZero();
      try (InputStream in = store.disks().artifacts().open(disk, "/", "big.bin")) {
        byte[] all = in.readAllBytes();
        assertThat(all).hasSize(400_000);
        assertThat(all[0]).isEqualTo((byte) 'a');
        assertThat(all[399_999]).isEqualTo((byte) 'b');
      }
      assertThat(store.maintenance().verify(true).isClean()).isTrue();
    }
  }

  @Test
  void theTextQueueDrainsInTheBackgroundAndQueriesSeeEveryReturnedWrite() throws Exception {
    try (DiskStore store = DiskStore.local(dir)) {
      String disk = store.disks().create().id();
      for (int i = 0; i < 50; i++) {
        store.disks().artifacts().upsert(
            disk, FileUpload.ofText("n" + i + ".md", "note " + i + " mentions zebra"), "/notes/");
      }
      // read-your-writes: the query applies whatever is still queued first
      assertThat(store.search().fullText(disk, "zebra", 100)).hasSize(50);
      assertThat(unapplied()).isZero();

      store.disks().artifacts().upsert(disk, FileUpload.ofText("late.md", "quokka"), "/");
      awaitTextIndexed();
      assertThat(count(textDb(), "SELECT count(*) FROM artifact_text WHERE artifact_text MATCH 'quokka'"))
          .isEqualTo(1);
    }
  }

  @Test
  void aReplacedOrDeletedArtifactIsNeverFoundByItsOldText() {
    try (DiskStore store = DiskStore.local(dir)) {
      String disk = store.disks().create().id();
      var artifacts = store.disks().artifacts();
      artifacts.upsert(disk, FileUpload.ofText("a.md", "alpha"), "/");
      artifacts.upsert(disk, FileUpload.ofText("a.md", "beta"), "/");
      artifacts.upsert(disk, FileUpload.ofText("b.md", "gamma"), "/");
      artifacts.delete(disk, "/", "b.md");
      artifacts.upsert(disk, FileUpload.ofText("c.md", "delta"), "/");
      artifacts.move(disk, "/", "c.md", "/moved/", "c.md");
      assertThat(store.search().fullText(disk, "alpha", 10)).isEmpty();
      assertThat(store.search().fullText(disk, "beta", 10))
          .extracting(h -> h.artifact().filename())
          .containsExactly("a.md");
      assertThat(store.search().fullText(disk, "gamma", 10)).isEmpty();
      List<TextHit> delta = store.search().fullText(disk, "delta", 10);
      assertThat(delta).extracting(h -> h.artifact().path()).containsExactly("/moved/");
      assertThat(store.search().fullText(disk, "moved", 10))
          .as("the path is indexed with its current value")
          .hasSize(1);
    }
  }

  @Test
  void aMovedTextFileKeepsItsTextWithoutTheBytesBeingReadAgain() throws Exception {
    try (DiskStore store = DiskStore.local(dir)) {
      String disk = store.disks().create().id();
      var artifacts = store.disks().artifacts();
      artifacts.upsert(disk, FileUpload.ofText("e.md", "echidna"), "/");
      assertThat(store.search().fullText(disk, "echidna", 10)).hasSize(1);
      String key =
          sql(c -> {
            try (Statement s = c.createStatement();
                ResultSet rs =
                    s.executeQuery(
                        "SELECT b.key FROM artifacts a JOIN blobs b ON b.sha256 = a.sha256")) {
              rs.next();
              return rs.getString(1);
            }
          });
      // take the bytes away: re-reading them would index the file without its text
      Path blob = dir.resolve("blobs").resolve("objects").resolve(key + ".blob");
      byte[] bytes = Files.readAllBytes(blob);
      Files.delete(blob);
      artifacts.move(disk, "/", "e.md", "/elsewhere/", "e2.md");
      assertThat(store.search().fullText(disk, "echidna", 10))
          .extracting(h -> h.artifact().path() + h.artifact().filename())
          .containsExactly("/elsewhere/e2.md");
      Files.write(blob, bytes);
    }
  }

  @Test
  void queuedWorkLeftByACrashIsAppliedAfterReopening() throws Exception {
    String disk;
    try (DiskStore store = DiskStore.local(dir)) {
      disk = store.disks().create().id();
      for (int i = 0; i < 20; i++) {
        store.disks().artifacts().upsert(
            disk, FileUpload.ofText("r" + i + ".txt", "recovered wombat " + i), "/");
      }
      assertThat(store.search().fullText(disk, "wombat", 100)).hasSize(20);
    }
    // as if the process died after the commits and before the text index applied them
    sql(c -> {
      c.createStatement().execute("INSERT INTO text_queue (artifact_id) SELECT id FROM artifacts");
      return null;
    });
    sql(textDb(), c -> {
      // a text batch rolls back as a whole: its rows and the record of what they were made from
      c.createStatement().execute("DELETE FROM artifact_text");
      c.createStatement().execute("DELETE FROM indexed");
      return null;
    });
    try (DiskStore store = DiskStore.local(dir)) {
      awaitTextIndexed();
      assertThat(count(textDb(), "SELECT count(*) FROM artifact_text")).isEqualTo(20);
      assertThat(store.search().fullText(disk, "wombat", 100)).hasSize(20);
    }
  }

  @Test
  void aLostTextDatabaseIsRebuiltFromTheArtifacts() throws Exception {
    String disk;
    try (DiskStore store = DiskStore.local(dir)) {
      disk = store.disks().create().id();
      for (int i = 0; i < 10; i++) {
        store.disks().artifacts().upsert(
            disk, FileUpload.ofText("k" + i + ".md", "kakapo " + i), "/k/");
      }
      store.disks().artifacts().upsert(disk, FileUpload.ofText("gone.md", "kakapo gone"), "/k/");
      store.disks().artifacts().delete(disk, "/k/", "gone.md");
    }
    String file = textDb();
    for (String name : List.of(file, file + "-wal", file + "-shm")) {
      Files.deleteIfExists(dir.resolve(name));
    }
    try (DiskStore store = DiskStore.local(dir)) {
      assertThat(store.search().fullText(disk, "kakapo", 100)).hasSize(10);
      assertThat(count(textDb(), "SELECT count(*) FROM artifact_text")).isEqualTo(10);
    }
  }

  @Test
  void aTextWhoseBlobIsMissingIsIndexedWithoutBodyAndTheRestIsApplied() throws Exception {
    String disk;
    try (DiskStore store = DiskStore.local(dir)) {
      disk = store.disks().create().id();
      store.disks().artifacts().upsert(disk, FileUpload.ofText("ok.txt", "platypus one"), "/");
      store.disks().artifacts().upsert(disk, FileUpload.ofText("lost.txt", "platypus two"), "/");
      assertThat(store.search().fullText(disk, "platypus", 10)).hasSize(2);
    }
    String lostKey =
        sql(c -> {
          try (Statement s = c.createStatement()) {
            s.execute("INSERT INTO text_queue (artifact_id) SELECT id FROM artifacts");
            try (ResultSet rs =
                s.executeQuery(
                    "SELECT b.key FROM artifacts a JOIN blobs b ON b.sha256 = a.sha256"
                        + " WHERE a.filename = 'lost.txt'")) {
              rs.next();
              return rs.getString(1);
            }
          }
        });
    sql(textDb(), c -> {
      // a text batch rolls back as a whole: its rows and the record of what they were made from
      c.createStatement().execute("DELETE FROM artifact_text");
      c.createStatement().execute("DELETE FROM indexed");
      return null;
    });
    Files.delete(dir.resolve("blobs").resolve("objects").resolve(lostKey + ".blob"));
    try (DiskStore store = DiskStore.local(dir)) {
      assertThat(store.search().fullText(disk, "platypus", 10))
          .extracting(h -> h.artifact().filename())
          .containsExactly("ok.txt");
      assertThat(store.search().fullText(disk, "lost", 10))
          .as("still found by its name")
          .extracting(h -> h.artifact().filename())
          .containsExactly("lost.txt");
      assertThat(unapplied()).isZero();
    }
  }
}
