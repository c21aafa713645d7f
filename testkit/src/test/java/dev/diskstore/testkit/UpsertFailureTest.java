package dev.diskstore.testkit;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.Artifact;
import dev.diskstore.Artifacts;
import dev.diskstore.Disk;
import dev.diskstore.DiskNotFoundException;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.GcOptions;
import dev.diskstore.GcReport;
import dev.diskstore.GetOptions;
import dev.diskstore.UploadTooLargeException;
import dev.diskstore.Precondition;
import dev.diskstore.PreconditionFailedException;
import dev.diskstore.StorageException;
import dev.diskstore.VerifyReport;
import dev.diskstore.memory.InMemoryBlobBackend;
import dev.diskstore.testkit.FaultInjectingBlobBackend.Fault;
import dev.diskstore.testkit.FaultInjectingBlobBackend.Operation;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A failure at every step of an upsert leaves the previous artifact intact and nothing behind that
 * verification would flag. Runs the real engine and index over a fault-injecting in-memory backend.
 */
class UpsertFailureTest {
  @TempDir Path dir;
  private InMemoryBlobBackend memory;
  private FaultInjectingBlobBackend faults;
  private DiskStore store;
  private Artifacts artifacts;
  private Disk disk;
  private Artifact original;

  @BeforeEach
  void setUp() {
    memory = new InMemoryBlobBackend();
    faults = FaultInjectingBlobBackend.of(memory);
    store =
        DiskStore.open(
            // without history: replaced bytes become garbage at once (with it, the previous
            // version keeps them), which is what the deletion-failure tests are about
            DiskStoreConfig.builder().directory(dir).backend(faults).maxUploadBytes(1000)
                .history(dev.diskstore.History.off()).build());
    artifacts = store.disks().artifacts();
    disk = store.disks().create();
    original =
        artifacts.upsert(
            disk.id(), FileUpload.of("a.txt", "old".getBytes(UTF_8)), "/d", Map.of("v", 1));
  }

  @AfterEach
  void tearDown() {
    faults.clear();
    store.close();
    memory.assertNoOpenStreams();
  }

  private void assertOriginalIntact() throws IOException {
    Artifact now = artifacts.get(disk.id(), "/d", "a.txt").artifact();
    assertThat(now).isEqualTo(original);
    try (InputStream in = artifacts.open(disk.id(), "/d", "a.txt")) {
      assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("old");
    }
  }

  private void assertClean() {
    VerifyReport report = store.maintenance().verify(true);
    assertThat(report.problems()).isEmpty();
    assertThat(memory.size()).as("the blob and the store marker").isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(
      value = Fault.class,
      names = {"WRITE_FAILS_BEFORE_START", "WRITE_FAILS_MIDWAY", "WRITE_FAILS_AFTER_COMPLETE"})
  void backendWriteFailureKeepsTheOldArtifact(Fault fault) throws IOException {
    faults.failNext(fault);
    assertThatThrownBy(
            () -> artifacts.upsert(
                disk.id(), FileUpload.of("a.txt", "new content".getBytes(UTF_8)), "/d", Map.of()))
        .isInstanceOf(StorageException.class)
        .satisfies(e -> assertThat(((StorageException) e).isRetryable()).isTrue());
    assertThat(faults.count(fault)).isEqualTo(1);
    assertOriginalIntact();
    assertClean();
  }

  @Test
  void failingCallerStreamKeepsTheOldArtifact() throws IOException {
    InputStream broken =
        new InputStream() {
          int n;

          @Override
          public int read() throws IOException {
            if (n++ > 10) {
              throw new IOException("network dropped");
            }
            return 'x';
          }
        };
    assertThatThrownBy(() -> artifacts.upsert(disk.id(), FileUpload.of("a.txt", broken), "/d"))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("network dropped");
    assertOriginalIntact();
    assertClean();
  }

  @Test
  void oversizedUploadIsRejectedBeforeOrWhileStreaming() throws IOException {
    long writesBefore = faults.calls(Operation.WRITE);
    assertThatThrownBy(
            () -> artifacts.upsert(disk.id(), FileUpload.of("a.txt", new byte[1001]), "/d"))
        .isInstanceOfSatisfying(UploadTooLargeException.class, e -> {
          assertThat(e.filename()).isEqualTo("a.txt");
          assertThat(e.maxBytes()).isEqualTo(1000);
        })
        .hasMessageContaining("1000 bytes");
    assertThat(faults.calls(Operation.WRITE)).isEqualTo(writesBefore);
    InputStream unknownLength = new ByteArrayInputStream(new byte[5000]);
    assertThatThrownBy(
            () -> artifacts.upsert(disk.id(), FileUpload.of("a.txt", unknownLength), "/d"))
        .isInstanceOf(UploadTooLargeException.class);
    assertOriginalIntact();
    assertClean();
  }

  @Test
  void preconditionBrokenDuringTheUploadFailsAtCommitAndCleansUp() throws IOException {
    InputStream racing =
        new InputStream() {
          boolean raced;
          final InputStream data = new ByteArrayInputStream("racing".getBytes(UTF_8));

          @Override
          public int read() throws IOException {
            if (!raced) {
              raced = true;
              // another writer changes the artifact while our bytes are streaming
              artifacts.update(disk.id(), "/d", "a.txt", Map.of("v", 2));
            }
            return data.read();
          }
        };
    assertThatThrownBy(
            () -> artifacts.upsert(
                disk.id(), FileUpload.of("a.txt", racing), "/d", null,
                Precondition.ifMatch(original.etag())))
        .isInstanceOf(PreconditionFailedException.class);
    Artifact now = artifacts.get(disk.id(), "/d", "a.txt").artifact();
    assertThat(now.userMeta()).isEqualTo(Map.of("v", 2));
    assertThat(now.sha256()).isEqualTo(original.sha256());
    assertClean();
  }

  @Test
  void diskDeletedDuringTheUploadFailsAtCommitAndCleansUp() {
    Disk other = store.disks().create();
    InputStream racing =
        new InputStream() {
          boolean raced;

          @Override
          public int read() {
            if (!raced) {
              raced = true;
              store.disks().delete(other.id());
            }
            return -1;
          }
        };
    assertThatThrownBy(() -> artifacts.upsert(other.id(), FileUpload.of("x.txt", racing), "/"))
        .isInstanceOf(DiskNotFoundException.class);
    assertClean();
  }

  @Test
  void failedDeletionOfOldBytesIsCollectedLater() throws IOException {
    faults.failNext(Fault.DELETE_FAILS);
    Artifact replaced =
        artifacts.upsert(disk.id(), FileUpload.of("a.txt", "new".getBytes(UTF_8)), "/d");
    assertThat(replaced.createdAt()).isEqualTo(original.createdAt());
    assertThat(replaced.userMeta()).isEqualTo(original.userMeta());
    assertThat(store.maintenance().verify().problems())
        .extracting(VerifyReport.Problem::kind)
        .containsExactly(VerifyReport.Kind.UNCOLLECTED_GARBAGE);
    assertThat(store.maintenance().collectGarbage().unreferencedBlobs()).isEqualTo(1);
    assertClean();
    try (InputStream in = artifacts.open(disk.id(), "/d", "a.txt")) {
      assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("new");
    }
  }

  @Test
  void orphanObjectsAreReportedAndCollectedOnlyWhenAsked() {
    String stray = "ff/ff/ffffffffffffffffffffffffffffffff";
    memory.write(stray, new ByteArrayInputStream(new byte[3]), java.util.OptionalLong.of(3));
    assertThat(store.maintenance().verify().problems())
        .extracting(VerifyReport.Problem::kind)
        .containsExactly(VerifyReport.Kind.ORPHAN_BLOB);
    GcReport kept = store.maintenance().collectGarbage();
    assertThat(kept.orphanObjects()).isZero();
    assertThat(kept.unknownObjectsKept()).isEqualTo(1);
    assertThat(memory.stat(stray)).isPresent();
    assertThat(store.maintenance().collectGarbage(GcOptions.deletingUnknownObjects())
        .orphanObjects()).isEqualTo(1);
    assertClean();
  }

  @Test
  void readFailuresAreTypedAndWritesStillWork() {
    faults.failNext(Fault.OPEN_FAILS);
    assertThatThrownBy(
            () -> artifacts.get(disk.id(), "/d", "a.txt",
                GetOptions.builder().withContent(true).build()))
        .isInstanceOf(StorageException.class);
    assertThat(artifacts.get(disk.id(), "/d", "a.txt").artifact()).isEqualTo(original);
    faults.failAfterBytes(1).failNext(Fault.READ_FAILS_MIDWAY);
    assertThatThrownBy(
            () -> {
              try (InputStream in = artifacts.open(disk.id(), "/d", "a.txt")) {
                in.readAllBytes();
              }
            })
        .isInstanceOf(IOException.class);
    assertClean();
  }
}
