package dev.diskstore.reliability;

import dev.diskstore.testkit.PseudoRandomInputStream;
import dev.diskstore.testkit.CanonicalJson;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.diskstore.Artifact;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.History;
import dev.diskstore.DiskStoreException;
import dev.diskstore.FileUpload;
import dev.diskstore.Precondition;
import dev.diskstore.StorageException;
import dev.diskstore.VerifyReport;
import dev.diskstore.local.LocalBlobBackend;
import dev.diskstore.spi.BlobKeys;
import dev.diskstore.spi.BlobStat;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real storage failures under the SQLite index and the local blob directory: a full disk and a
 * read-only file system, made with size-limited tmpfs mounts (the suites run as root, and {@code
 * chmod} does not stop root; see {@link Tmpfs}). Every failed operation must be a typed {@link
 * StorageException} that changed nothing, every acknowledged one must survive, and once the fault
 * is cleared the same store instance must keep working and verify clean after one garbage
 * collection, with no object or temporary file left behind.
 *
 * <p>Skipped (with the reason printed) where tmpfs mounts are not permitted.
 */
class StorageFaultTest {
  /**
   * These checks count one blob per live content after filling the disk; the history's objects
   * are checked by the crash suites' CrashChecker.
   */
  private static final History NO_HISTORY = History.off();

  private static final int KIB = 1024;
  private static Figures figures;

  @TempDir Path tmp;

  @BeforeAll
  static void mountsArePermitted(@TempDir Path scratch) {
    Assumptions.assumeTrue(Tmpfs.available(scratch.resolve("probe")),
        "tmpfs mounts need root with CAP_SYS_ADMIN");
  }

  /** Path → sha256 and canonical meta, as acknowledged. */
  private final Map<String, String> model = new TreeMap<>();

  private static String state(Artifact a) {
    return a.sha256() + " " + CanonicalJson.write(a.userMeta());
  }

  private void checkModel(DiskStore store, String disk, String when) throws IOException {
    Map<String, String> actual = new TreeMap<>();
    for (Artifact a : store.search().glob(disk, "**", 10_000)) {
      actual.put(a.path() + a.filename(), state(a));
      try (InputStream in = store.disks().artifacts().open(disk, a.path(), a.filename())) {
        assertThat(PseudoRandomInputStream.sha256Hex(in)).as("%s: bytes of %s", when, a.filename())
            .isEqualTo(a.sha256());
      }
    }
    assertThat(actual).as("%s: every acknowledged write, nothing else", when).isEqualTo(model);
  }

  private static void assertCleanAfterCollecting(DiskStore store, LocalBlobBackend blobs,
      String disk, String when) {
    store.maintenance().collectGarbage();
    VerifyReport report = store.maintenance().verify(true);
    assertThat(report.problems()).as("%s: verify", when).isEmpty();
    long distinct = store.search().glob(disk, "**", 10_000).stream().map(Artifact::sha256)
        .distinct().count();
    try (Stream<BlobStat> listed = blobs.list("")) {
      assertThat(listed.filter(b -> !b.key().equals(BlobKeys.STORE_MARKER)).count()).as("%s: objects vs distinct contents", when).isEqualTo(distinct);
    }
  }

  /** Runs random writes; returns the failures. Acknowledged writes go into the model. */
  private List<StorageException> randomWrites(
      DiskStore store, String disk, Random random, int count, int metaBytes) throws IOException {
    List<StorageException> failures = new ArrayList<>();
    var a = store.disks().artifacts();
    for (int i = 0; i < count; i++) {
      String name = "f-" + random.nextInt(12) + ".txt";
      String path = "/full/" + name;
      Map<String, Object> meta = new LinkedHashMap<>();
      meta.put("i", i);
      meta.put("pad", "x".repeat(random.nextInt(metaBytes)));
      String before = model.get(path);
      int dice = random.nextInt(10);
      try {
        if (dice < 5 || before == null) {
          byte[] bytes = PseudoRandomInputStream.bytes(random.nextLong(), random.nextInt(8 * KIB));
          Artifact written = a.upsert(disk, FileUpload.of(name, bytes), "/full", meta);
          model.put(path, state(written));
        } else if (dice < 8) {
          Artifact written = a.update(disk, "/full", name, meta);
          model.put(path, state(written));
        } else if (dice < 9) {
          a.delete(disk, "/full", name);
          model.remove(path);
        } else {
          String target = "f-" + random.nextInt(12) + ".txt";
          if (!target.equals(name)) {
            Artifact moved = a.move(disk, "/full", name, "/full", target, Precondition.none(), true);
            model.remove(path);
            model.put("/full/" + target, state(moved));
          }
        }
      } catch (StorageException e) {
        failures.add(e);
        Optional<Artifact> now = a.find(disk, "/full", name).map(r -> r.artifact());
        assertThat(now.map(StorageFaultTest::state).orElse(null))
            .as("a failed write (%s) changed nothing", e.getMessage())
            .isEqualTo(before);
      }
    }
    return failures;
  }

  /**
   * The index's file system fills up: writes fail with a typed, non-retryable "disk full"
   * StorageException and change nothing; after space is freed the same store instance works again.
   */
  @Test
  void indexOnAFullDisk() throws Exception {
    Path blobsDir = tmp.resolve("blobs");
    try (Tmpfs fs = Tmpfs.mount(tmp.resolve("indexfs"), 16L << 20);
        LocalBlobBackend blobs = LocalBlobBackend.at(blobsDir)) {
      Path indexDir = fs.path().resolve("index");
      DiskStore store = DiskStore.open(DiskStoreConfig.builder().directory(indexDir)
          .backend(LocalBlobBackend.at(blobsDir)).history(NO_HISTORY).build());
      String disk;
      long filler;
      List<StorageException> failures;
      try {
        disk = store.disks().create().id();
        Random random = new Random(7);
        assertThat(randomWrites(store, disk, random, 40, 2 * KIB)).isEmpty();

        filler = fs.fill("filler");
        failures = randomWrites(store, disk, random, 300, 60 * KIB);
        failures.forEach(e -> assertThat(e).isInstanceOf(StorageException.class));
        assertThat(failures).as("writes on a full disk").isNotEmpty();
        assertThat(failures).anySatisfy(e -> assertThat(e.getMessage()).contains("disk full"));
        checkModel(store, disk, "while full");
        Throwable diskCreate = catchThrowable(() -> store.disks().create());
        assertThat(diskCreate).as("creating a disk on a full index")
            .satisfiesAnyOf(
                t -> assertThat(t).isNull(),
                t -> assertThat(t).isInstanceOf(StorageException.class));

        Files.delete(fs.path().resolve("filler"));
        assertThat(randomWrites(store, disk, random, 60, 2 * KIB))
            .as("the same store instance after space was freed").isEmpty();
        checkModel(store, disk, "after freeing space");
        assertCleanAfterCollecting(store, blobs, disk, "after freeing space");
      } finally {
        store.close();
      }
      try (DiskStore reopened = DiskStore.open(DiskStoreConfig.builder().directory(indexDir)
          .backend(LocalBlobBackend.at(blobsDir)).history(NO_HISTORY).build())) {
        checkModel(reopened, disk, "reopened");
        assertCleanAfterCollecting(reopened, blobs, disk, "reopened");
      }
      figures.put("indexFullFillerBytes", filler).put("indexFullFailedWrites", failures.size())
          .put("indexFullAcknowledgedWhileFull", 300 - failures.size());
    }
  }

  /**
   * The blob directory's file system fills up in the middle of uploads: typed failures, nothing
   * changed, no partial or temporary file left on the full file system.
   */
  @Test
  void blobsOnAFullDisk() throws Exception {
    try (Tmpfs fs = Tmpfs.mount(tmp.resolve("blobfs"), 3L << 20)) {
      Path blobsDir = fs.path().resolve("blobs");
      try (DiskStore store = DiskStore.open(DiskStoreConfig.builder()
              .directory(tmp.resolve("index")).backend(LocalBlobBackend.at(blobsDir)).history(NO_HISTORY).build());
          LocalBlobBackend blobs = LocalBlobBackend.at(blobsDir)) {
        String disk = store.disks().create().id();
        Random random = new Random(11);
        int failed = 0;
        int acked = 0;
        for (int i = 0; i < 40; i++) {
          String name = "big-" + (i % 6) + ".bin";
          long seed = random.nextLong();
          int size = 200 * KIB + random.nextInt(900 * KIB);
          String before = model.get("/big/" + name);
          try (InputStream in = new PseudoRandomInputStream(seed, size)) {
            Artifact a = store.disks().artifacts().upsert(disk, FileUpload.of(name, in), "/big");
            model.put("/big/" + name, state(a));
            acked++;
          } catch (StorageException e) {
            failed++;
            assertThat(store.disks().artifacts().find(disk, "/big", name)
                    .map(r -> state(r.artifact())).orElse(null))
                .as("a failed upload changed nothing").isEqualTo(before);
          }
        }
        assertThat(failed).as("uploads that did not fit").isPositive();
        checkModel(store, disk, "blobs full");
        assertCleanAfterCollecting(store, blobs, disk, "blobs full");
        long onDisk;
        try (Stream<Path> files = Files.walk(blobsDir)) {
          onDisk = files.filter(Files::isRegularFile)
              .filter(f -> !f.getFileName().toString().equals(BlobKeys.STORE_MARKER + ".blob"))
              .count();
        }
        long distinct = model.values().stream().map(s -> s.split(" ")[0]).distinct().count();
        assertThat(onDisk).as("files in the blob directory: only live blobs, no temporaries")
            .isEqualTo(distinct);
        figures.put("blobsFullUploadsFailed", failed).put("blobsFullUploadsAcknowledged", acked);
      }
    }
  }

  /**
   * The blob directory becomes read-only while the store is open: uploads fail typed and change
   * nothing, reads keep working, deletes are acknowledged and leave their bytes as garbage that one
   * collection removes once the file system is writable again.
   */
  @Test
  void blobsOnAReadOnlyFileSystem() throws Exception {
    try (Tmpfs fs = Tmpfs.mount(tmp.resolve("rofs"), 8L << 20)) {
      Path blobsDir = fs.path().resolve("blobs");
      try (DiskStore store = DiskStore.open(DiskStoreConfig.builder()
              .directory(tmp.resolve("index")).backend(LocalBlobBackend.at(blobsDir)).history(NO_HISTORY).build());
          LocalBlobBackend blobs = LocalBlobBackend.at(blobsDir)) {
        String disk = store.disks().create().id();
        var a = store.disks().artifacts();
        for (int i = 0; i < 5; i++) {
          Artifact w = a.upsert(disk, FileUpload.ofText("r" + i + ".txt", "read-only " + i), "/ro");
          model.put("/ro/r" + i + ".txt", state(w));
        }
        fs.readOnly();
        try {
          Throwable upload = catchThrowable(
              () -> a.upsert(disk, FileUpload.ofText("new.txt", "nope"), "/ro"));
          assertThat(upload).isInstanceOf(StorageException.class);
          Throwable replace = catchThrowable(
              () -> a.upsert(disk, FileUpload.ofText("r0.txt", "nope"), "/ro"));
          assertThat(replace).isInstanceOf(StorageException.class);
          checkModel(store, disk, "read-only");
          a.delete(disk, "/ro", "r1.txt");
          model.remove("/ro/r1.txt");
          assertThat(store.maintenance().verify().problems())
              .extracting(VerifyReport.Problem::kind)
              .containsOnly(VerifyReport.Kind.UNCOLLECTED_GARBAGE);
          store.maintenance().collectGarbage(); // cannot delete yet: must not throw or lose rows
          assertThat(store.maintenance().verify().problems()).isNotEmpty();
        } finally {
          fs.readWrite();
        }
        checkModel(store, disk, "writable again");
        assertCleanAfterCollecting(store, blobs, disk, "writable again");
        Artifact after = a.upsert(disk, FileUpload.ofText("new.txt", "now it works"), "/ro");
        model.put("/ro/new.txt", state(after));
        checkModel(store, disk, "after a write");
      }
    }
  }

  /**
   * A store whose index lies on a read-only file system cannot be opened: a typed StorageException,
   * no raw SQLException or IOException, and nothing is changed; writable again, it opens with
   * everything in it.
   */
  @Test
  void indexOnAReadOnlyFileSystem() throws Exception {
    try (Tmpfs fs = Tmpfs.mount(tmp.resolve("roindex"), 16L << 20)) {
      Path dir = fs.path().resolve("store");
      String disk;
      try (DiskStore store = DiskStore.local(dir)) {
        disk = store.disks().create().id();
        Artifact w = store.disks().artifacts().upsert(disk,
            FileUpload.of("kept.bin", "kept".getBytes(UTF_8)), "/", Map.of("k", true));
        model.put("/kept.bin", state(w));
      }
      List<String> before = Tmpfs.describe(dir);
      fs.readOnly();
      Throwable open;
      try {
        open = catchThrowable(() -> DiskStore.local(dir).close());
      } finally {
        fs.readWrite();
      }
      assertThat(open).as("opening a store on a read-only file system")
          .isInstanceOf(StorageException.class);
      assertThat(open).isInstanceOf(DiskStoreException.class);
      figures.put("readOnlyOpen", open.getClass().getSimpleName());
      assertThat(Tmpfs.describe(dir)).isEqualTo(before);
      try (DiskStore store = DiskStore.local(dir);
          LocalBlobBackend blobs = LocalBlobBackend.at(dir.resolve("blobs"))) {
        checkModel(store, disk, "reopened writable");
        assertCleanAfterCollecting(store, blobs, disk, "reopened writable");
      }
    }
  }

  @BeforeAll
  static void startFigures() {
    figures = Figures.of("faults-storage");
  }

  @AfterAll
  static void report() {
    if (figures != null) {
      figures.report();
    }
  }
}
