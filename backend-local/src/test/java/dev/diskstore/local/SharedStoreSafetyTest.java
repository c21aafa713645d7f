package dev.diskstore.local;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.Artifact;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.GcOptions;
import dev.diskstore.GcReport;
import dev.diskstore.History;
import dev.diskstore.StorageException;
import dev.diskstore.StoreMismatchException;
import dev.diskstore.VerifyReport;
import dev.diskstore.spi.BlobBackend;
import dev.diskstore.spi.BlobKeys;
import dev.diskstore.spi.BlobStat;
import dev.diskstore.spi.ForwardingBlobBackend;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage collection and store identity when several instances share one store (issue 11, items
 * 1 and 3), deterministically: two store instances in this JVM on one real directory, with hooks in
 * their backends that stop one instance at the moment that used to lose data.
 */
class SharedStoreSafetyTest {
  @TempDir Path dir;

  private static final long WAIT_SECONDS = 30;

  /**
   * A backend whose writes can be held after the bytes are stored (before the store commits) and
   * whose deletes of chosen keys can be held or failed.
   */
  private static final class HookedBackend extends ForwardingBlobBackend {
    volatile CountDownLatch writeDone = new CountDownLatch(1);
    volatile CountDownLatch releaseWrite;
    volatile String lastWrittenKey;
    volatile Predicate<String> holdDelete = key -> false;
    volatile CountDownLatch deleteEntered = new CountDownLatch(1);
    volatile CountDownLatch releaseDelete = new CountDownLatch(0);
    volatile int failDeletes;

    HookedBackend(BlobBackend delegate) {
      super(delegate);
    }

    @Override
    public long write(String key, InputStream content, OptionalLong lengthHint) {
      long n = super.write(key, content, lengthHint);
      lastWrittenKey = key;
      writeDone.countDown();
      CountDownLatch release = releaseWrite;
      if (release != null && !key.equals(BlobKeys.STORE_MARKER)) {
        await(release);
      }
      return n;
    }

    @Override
    public boolean delete(String key) {
      if (failDeletes > 0) {
        failDeletes--;
        throw new StorageException("injected delete failure of " + key, true, null);
      }
      if (holdDelete.test(key)) {
        deleteEntered.countDown();
        await(releaseDelete);
      }
      return super.delete(key);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException("test hook timed out");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private DiskStore open(HookedBackend backend) {
    return open(backend, History.DEFAULT);
  }

  private DiskStore open(HookedBackend backend, History history) {
    return DiskStore.open(
        DiskStoreConfig.builder().directory(dir).backend(backend).collectGarbageOnOpen(false)
            .history(history).build());
  }

  private HookedBackend hooked() {
    return new HookedBackend(LocalBlobBackend.at(dir.resolve("blobs")));
  }

  private static byte[] utf8(String s) {
    return s.getBytes(UTF_8);
  }

  private String garbageKey() throws SQLException {
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.db"));
        var s = c.createStatement();
        var rs = s.executeQuery("SELECT key FROM garbage")) {
      assertThat(rs.next()).as("a garbage row").isTrue();
      return rs.getString(1);
    }
  }

  /**
   * Item 1, deterministic form: instance A has a garbage row whose backend delete is slow; while
   * A's collection is stuck in that delete, instance B commits an upsert whose object A has already
   * listed, and closes. The old collection read the index first, deleted garbage, and only then asked
   * whether B was alive: B was gone, so its committed blob was deleted.
   */
  @Test
  void anUpsertCommittedWhileACollectionRunsKeepsItsBytesWhenItsWriterCloses() throws Exception {
    HookedBackend backendA = hooked();
    HookedBackend backendB = hooked();
    // without history: the replaced blob becomes garbage at once (a version would keep it)
    try (DiskStore a = open(backendA, History.off())) {
      String disk = a.disks().create().id();
      a.disks().artifacts().upsert(disk, FileUpload.of("g.txt", utf8("first")), "/");
      backendA.failDeletes = 1; // the replaced blob's delete fails: it stays a garbage row
      a.disks().artifacts().upsert(disk, FileUpload.of("g.txt", utf8("second")), "/");
      String garbage = garbageKey();

      DiskStore b = open(backendB, History.off());
      backendB.releaseWrite = new CountDownLatch(1);
      CompletableFuture<Artifact> upsertB =
          CompletableFuture.supplyAsync(
              () -> b.disks().artifacts().upsert(disk, FileUpload.of("b.txt", utf8("by B")), "/"));
      await(backendB.writeDone); // B's object exists; B has not committed
      String keyB = backendB.lastWrittenKey;

      backendA.holdDelete = garbage::equals;
      backendA.releaseDelete = new CountDownLatch(1);
      CompletableFuture<GcReport> gc =
          CompletableFuture.supplyAsync(() -> a.maintenance().collectGarbage());
      await(backendA.deleteEntered); // A listed keyB and read the index before B's commit

      backendB.releaseWrite.countDown();
      Artifact committed = upsertB.get(WAIT_SECONDS, TimeUnit.SECONDS);
      b.close(); // B is gone before A looks at its objects again
      backendA.releaseDelete.countDown();
      GcReport report = gc.get(WAIT_SECONDS, TimeUnit.SECONDS);

      assertThat(report.unreferencedBlobs()).isEqualTo(1);
      assertThat(backendA.stat(keyB)).as("B's committed blob " + keyB).isPresent();
      try (InputStream in = a.disks().artifacts().open(disk, "/", "b.txt")) {
        assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("by B");
      }
      assertThat(committed.sha256()).isNotEmpty();
      assertThat(a.maintenance().verify(true).problems()).isEmpty();
    }
  }

  /**
   * The fence: a writer that garbage collection has declared dead (here because its lock file was
   * removed behind its back, so it looks dead while it runs) cannot commit the object it wrote,
   * which the collection deletes; its upsert fails instead of acknowledging bytes that are gone.
   */
  @Test
  void aWriterDeclaredDeadCannotCommitTheObjectTheCollectionDeleted() throws Exception {
    HookedBackend backendA = hooked();
    HookedBackend backendB = hooked();
    try (DiskStore a = open(backendA)) {
      String disk = a.disks().create().id();
      List<String> before = lockFiles();
      DiskStore b = open(backendB);
      try {
        List<String> after = lockFiles();
        Path lockOfB =
            dir.resolve("owners").resolve(
                after.stream().filter(f -> !before.contains(f)).findFirst().orElseThrow());
        backendB.releaseWrite = new CountDownLatch(1);
        CompletableFuture<Artifact> upsertB =
            CompletableFuture.supplyAsync(
                () -> b.disks().artifacts().upsert(disk, FileUpload.of("b.txt", utf8("B")), "/"));
        await(backendB.writeDone);
        String keyB = backendB.lastWrittenKey;
        // B's liveness signal is lost: another process sees no lock file. (In this JVM B is known
        // to be open, so ask from a second JVM's point of view: a child process collects.)
        Files.delete(lockOfB);
        collectInAnotherJvm();
        assertThat(backendA.stat(keyB)).as("the collection deleted B's uncommitted object")
            .isEmpty();
        backendB.releaseWrite.countDown();
        assertThatThrownBy(() -> upsertB.join())
            .hasCauseInstanceOf(StorageException.class)
            .hasMessageContaining("declared it dead");
        assertThat(a.disks().artifacts().find(disk, "/", "b.txt")).isEmpty();
        assertThat(a.maintenance().verify(true).problems()).isEmpty();
      } finally {
        b.close();
      }
    }
  }

  private List<String> lockFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir.resolve("owners"))) {
      return files.map(p -> p.getFileName().toString()).collect(Collectors.toList());
    }
  }

  private void collectInAnotherJvm() throws Exception {
    Path output = dir.resolve("child-gc.log");
    Process child =
        dev.diskstore.testkit.ChildJvm.start(
            CollectOnce.class, List.of(), List.of(dir.toString()), output);
    try {
      assertThat(child.waitFor(60, TimeUnit.SECONDS)).as("child collection ended").isTrue();
      assertThat(child.exitValue())
          .as("child output:%n%s", dev.diskstore.testkit.ChildJvm.output(output)).isZero();
    } finally {
      dev.diskstore.testkit.ChildJvm.kill(child);
    }
  }

  /** Child JVM: opens the store, collects garbage once, closes. */
  public static final class CollectOnce {
    public static void main(String[] args) {
      try (DiskStore store =
          DiskStore.open(
              DiskStoreConfig.builder().directory(Path.of(args[0]))
                  .backend(LocalBlobBackend.at(Path.of(args[0]).resolve("blobs")))
                  .collectGarbageOnOpen(false).build())) {
        System.out.println(store.maintenance().collectGarbage());
      }
    }
  }

  // ------------------------------------------------------------------ item 8: a hanging backend

  /** A backend whose every call hangs (a black-hole endpoint) until it is closed. */
  private static final class HangingBackend extends ForwardingBlobBackend {
    private final CountDownLatch closed = new CountDownLatch(1);

    HangingBackend(BlobBackend delegate) {
      super(delegate);
    }

    private void hang() {
      try {
        closed.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      throw new StorageException("black hole: no answer", true, null);
    }

    @Override
    public InputStream open(String key, dev.diskstore.ByteRange range) {
      hang();
      return super.open(key, range);
    }

    @Override
    public java.util.Optional<BlobStat> stat(String key) {
      hang();
      return super.stat(key);
    }

    @Override
    public Stream<BlobStat> list(String prefix) {
      hang();
      return super.list(prefix);
    }

    @Override
    public void close() {
      closed.countDown();
      super.close();
    }
  }

  @Test
  void openingAnEstablishedStoreDoesNotWaitForAHangingBackend() {
    String disk;
    try (DiskStore store = DiskStore.local(dir)) {
      disk = store.disks().create().id();
      store.disks().artifacts().upsert(disk, FileUpload.of("a.txt", utf8("a")), "/");
    }
    long t0 = System.nanoTime();
    DiskStore store =
        DiskStore.open(DiskStoreConfig.builder().directory(dir)
            .backend(new HangingBackend(LocalBlobBackend.at(dir.resolve("blobs")))).build());
    long openMillis = (System.nanoTime() - t0) / 1_000_000;
    try {
      // the marker check waits at most 3 s, garbage collection runs in the background
      assertThat(openMillis).as("open against a backend that never answers").isLessThan(15_000);
      assertThat(store.disks().artifacts().list(disk, "/").artifacts()).hasSize(1);
    } finally {
      long t1 = System.nanoTime();
      store.close();
      assertThat((System.nanoTime() - t1) / 1_000_000).as("close").isLessThan(15_000);
    }
    System.out.println("open against a hanging backend: " + openMillis + " ms");
  }

  // ------------------------------------------------------------------ item 3: store identity

  private List<String> objectKeys(Path blobs) {
    try (LocalBlobBackend raw = LocalBlobBackend.at(blobs);
        Stream<BlobStat> listed = raw.list("")) {
      return listed.map(BlobStat::key).sorted().collect(Collectors.toList());
    }
  }

  private String populate(Path storeDir) {
    try (DiskStore store = DiskStore.local(storeDir)) {
      String disk = store.disks().create().id();
      store.disks().artifacts().upsert(disk, FileUpload.of("keep.txt", utf8("precious")), "/a/");
      store.disks().artifacts().upsert(disk, FileUpload.of("also.txt", utf8("also precious")), "/");
      return disk;
    }
  }

  @Test
  void aLostIndexRefusesToOpenAndNeverWipesTheBlobs() throws IOException {
    populate(dir);
    List<String> objects = objectKeys(dir.resolve("blobs"));
    assertThat(objects).contains(BlobKeys.STORE_MARKER).hasSize(3);
    for (String name : List.of("index.db", "index.db-wal", "index.db-shm")) {
      Files.deleteIfExists(dir.resolve(name));
    }
    assertThatThrownBy(() -> DiskStore.local(dir))
        .isInstanceOf(StoreMismatchException.class)
        .hasMessageContaining("restore it from a backup")
        .satisfies(e -> assertThat(((StoreMismatchException) e).backendStoreId()).isPresent());
    assertThat(objectKeys(dir.resolve("blobs"))).isEqualTo(objects);

    // recovery by adoption: a new, empty store that keeps the old objects aside
    try (DiskStore adopted =
        DiskStore.open(DiskStoreConfig.builder().directory(dir)
            .backend(LocalBlobBackend.at(dir.resolve("blobs"))).adoptBackend(true).build())) {
      assertThat(adopted.maintenance().collectGarbage())
          .isEqualTo(new GcReport(0, 0, 0, 2));
      VerifyReport report = adopted.maintenance().verify();
      assertThat(report.problems()).hasSize(2)
          .allSatisfy(p -> assertThat(p.kind()).isEqualTo(VerifyReport.Kind.ORPHAN_BLOB));
    }
    assertThat(objectKeys(dir.resolve("blobs"))).hasSize(3);
    try (DiskStore again = DiskStore.local(dir)) {
      assertThat(again.maintenance().collectGarbage(GcOptions.deletingUnknownObjects()).orphanObjects())
          .isEqualTo(2);
    }
    assertThat(objectKeys(dir.resolve("blobs"))).containsExactly(BlobKeys.STORE_MARKER);
  }

  @Test
  void aNewIndexPointedAtAnotherStoresBlobsIsRefused() {
    Path first = dir.resolve("first");
    populate(first);
    List<String> objects = objectKeys(first.resolve("blobs"));
    assertThatThrownBy(
            () -> DiskStore.open(DiskStoreConfig.builder().directory(dir.resolve("second"))
                .backend(LocalBlobBackend.at(first.resolve("blobs"))).build()))
        .isInstanceOf(StoreMismatchException.class)
        .hasMessageContaining("is new");
    assertThat(objectKeys(first.resolve("blobs"))).isEqualTo(objects);
    try (DiskStore original = DiskStore.local(first)) {
      assertThat(original.maintenance().verify(true).isClean()).isTrue();
    }
  }

  @Test
  void anIndexOpenedOnAnotherStoresBackendIsRefused() {
    Path first = dir.resolve("first");
    Path second = dir.resolve("second");
    populate(first);
    populate(second);
    assertThatThrownBy(
            () -> DiskStore.open(DiskStoreConfig.builder().directory(first)
                .backend(LocalBlobBackend.at(second.resolve("blobs"))).build()))
        .isInstanceOf(StoreMismatchException.class)
        .hasMessageContaining("holds the data of store");
    assertThatThrownBy(
            () -> DiskStore.open(DiskStoreConfig.builder().directory(first)
                .backend(LocalBlobBackend.at(dir.resolve("empty"))).build()))
        .isInstanceOf(StoreMismatchException.class)
        .hasMessageContaining("has no store marker");
  }

  @Test
  void aBackendWithObjectsButNoMarkerIsNotTakenByANewIndex() {
    try (LocalBlobBackend raw = LocalBlobBackend.at(dir.resolve("blobs"))) {
      raw.write("ab/" + "0123456789abcdef0123456789abcdef" + "-0123456789abcdef",
          new java.io.ByteArrayInputStream(utf8("someone's data")), OptionalLong.empty());
    }
    assertThatThrownBy(() -> DiskStore.local(dir))
        .isInstanceOf(StoreMismatchException.class)
        .hasMessageContaining("no store marker");
    assertThat(objectKeys(dir.resolve("blobs"))).hasSize(1);
  }

  @Test
  void aStoreFromBeforeMarkersAndAnInterruptedCreationAreCompleted() throws Exception {
    String disk = populate(dir);
    // as written by a version without markers: no store id in the index, no marker object
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.db"))) {
      c.createStatement().execute("DELETE FROM store_meta WHERE key IN ('store_id', 'store_marker')");
    }
    try (LocalBlobBackend raw = LocalBlobBackend.at(dir.resolve("blobs"))) {
      raw.delete(BlobKeys.STORE_MARKER);
    }
    try (DiskStore store = DiskStore.local(dir)) {
      assertThat(store.disks().artifacts().get(disk, "/a/", "keep.txt").artifact().sizeBytes())
          .isEqualTo(8);
      assertThat(store.maintenance().verify(true).isClean()).isTrue();
    }
    assertThat(objectKeys(dir.resolve("blobs"))).contains(BlobKeys.STORE_MARKER);
    // creation interrupted after the index recorded the id, before the marker was written
    try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("index.db"))) {
      c.createStatement().execute(
          "UPDATE store_meta SET value = 'pending' WHERE key = 'store_marker'");
    }
    try (LocalBlobBackend raw = LocalBlobBackend.at(dir.resolve("blobs"))) {
      raw.delete(BlobKeys.STORE_MARKER);
    }
    try (DiskStore store = DiskStore.local(dir)) {
      assertThat(store.maintenance().verify(true).isClean()).isTrue();
    }
    try (DiskStore store = DiskStore.local(dir)) {
      assertThat(store.disks().artifacts().list(disk, "/").artifacts()).hasSize(1);
    }
  }
}
