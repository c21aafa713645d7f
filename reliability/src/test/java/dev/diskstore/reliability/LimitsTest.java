package dev.diskstore.reliability;

import dev.diskstore.testkit.PseudoRandomInputStream;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.diskstore.Artifact;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.InvalidMetadataException;
import dev.diskstore.InvalidRequestException;
import dev.diskstore.local.LocalBlobBackend;
import dev.diskstore.reliability.ScriptedFaultBackend.Call;
import dev.diskstore.spi.BlobKeys;
import dev.diskstore.spi.BlobStat;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Configurable limits are enforced before anything is stored: an upload over {@code
 * maxUploadBytes} (declared length, file, or a stream of unknown, even endless, length) and
 * metadata over {@code maxMetadataBytes} fail with a typed exception, the previous version stays,
 * and the index and the backend hold nothing new (verify is clean, the object count unchanged).
 */
class LimitsTest {
  private static final int MAX_UPLOAD = 64 * 1024;
  private static final int MAX_META = 256;
  private static Figures figures;

  @TempDir Path tmp;
  private ScriptedFaultBackend backend;
  private DiskStore store;
  private String disk;
  private Artifact original;

  @BeforeEach
  void open() {
    backend = new ScriptedFaultBackend(LocalBlobBackend.at(tmp.resolve("blobs")));
    store = DiskStore.open(DiskStoreConfig.builder().directory(tmp).backend(backend)
        .maxUploadBytes(MAX_UPLOAD).maxMetadataBytes(MAX_META).build());
    disk = store.disks().create().id();
    original = store.disks().artifacts().upsert(disk, FileUpload.ofText("a.txt", "original"), "/",
        Map.of("v", 1));
  }

  @AfterEach
  void close() {
    store.close();
  }

  private long objects() {
    try (Stream<BlobStat> listed = backend.list("")) {
      return listed.filter(b -> !b.key().equals(BlobKeys.STORE_MARKER)).count();
    }
  }

  private long writes() {
    return Collections.frequency(backend.calls(), Call.WRITE);
  }

  private void assertNothingStored(String what) {
    assertThat(store.disks().artifacts().get(disk, "/", "a.txt").artifact())
        .as("%s: the previous version", what).isEqualTo(original);
    assertThat(store.disks().artifacts().list(disk, "/").artifacts()).as(what).hasSize(1);
    assertThat(store.maintenance().verify(true).problems()).as("%s: verify", what).isEmpty();
    assertThat(objects()).as("%s: backend objects", what).isEqualTo(1);
    figures.add("rejections", 1);
  }

  @Test
  void uploadsOverTheLimitAreRejectedBeforeAnythingIsStored() throws Exception {
    long writesBefore = writes();
    assertThatThrownBy(() -> store.disks().artifacts().upsert(disk,
            FileUpload.of("a.txt", new byte[MAX_UPLOAD + 1]), "/"))
        .isInstanceOf(InvalidRequestException.class).hasMessageContaining("larger than");
    assertThat(writes()).as("a declared length over the limit never reaches the backend")
        .isEqualTo(writesBefore);
    assertNothingStored("bytes");

    Path big = Files.write(tmp.resolve("big.bin"), new byte[MAX_UPLOAD + 1]);
    assertThatThrownBy(() -> store.disks().artifacts().upsert(disk,
            FileUpload.of("a.txt", big, null), "/"))
        .isInstanceOf(InvalidRequestException.class);
    assertThat(writes()).as("a file over the limit never reaches the backend").isEqualTo(writesBefore);
    assertNothingStored("file");

    for (int size : new int[] {MAX_UPLOAD + 1, MAX_UPLOAD * 3}) {
      try (InputStream in = new PseudoRandomInputStream(size, size)) {
        assertThatThrownBy(() -> store.disks().artifacts().upsert(disk,
                FileUpload.of("a.txt", in), "/"))
            .isInstanceOf(InvalidRequestException.class);
      }
      assertNothingStored("stream of " + size + " bytes");
    }

    // an endless stream: rejected once the limit is passed, having read little more than it
    PseudoRandomInputStream endless = new PseudoRandomInputStream(1, Long.MAX_VALUE);
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> store.disks().artifacts().upsert(disk,
            FileUpload.of("endless.bin", endless), "/"))
        .isInstanceOf(InvalidRequestException.class);
    long millis = (System.nanoTime() - t0) / 1_000_000;
    assertThat(endless.position()).as("bytes read from an endless upload")
        .isLessThanOrEqualTo(MAX_UPLOAD + 1024L * 1024);
    assertThat(millis).isLessThan(10_000);
    assertNothingStored("endless stream");
    figures.put("endlessStreamBytesRead", endless.position()).put("maxUploadBytes", MAX_UPLOAD);

    // exactly the limit is fine
    Artifact atLimit = store.disks().artifacts().upsert(disk,
        FileUpload.of("b.bin", new PseudoRandomInputStream(9, MAX_UPLOAD)), "/");
    assertThat(atLimit.sizeBytes()).isEqualTo(MAX_UPLOAD);
  }

  @Test
  void metadataOverTheLimitIsRejectedBeforeAnythingIsStored() {
    String fits = "x".repeat(MAX_META - "{\"k\":\"\"}".length());
    String tooBig = fits + "y";
    long writesBefore = writes();
    assertThatThrownBy(() -> store.disks().artifacts().upsert(disk,
            FileUpload.ofText("a.txt", "new bytes"), "/", Map.of("k", tooBig)))
        .isInstanceOf(InvalidMetadataException.class).hasMessageContaining("limit");
    assertThat(writes()).as("bytes are not uploaded when the metadata is too big")
        .isEqualTo(writesBefore);
    assertNothingStored("upsert with big metadata");
    assertThatThrownBy(() -> store.disks().artifacts().upsert(disk,
            FileUpload.ofText("n.txt", "new file"), "/", Map.of("k", tooBig)))
        .isInstanceOf(InvalidMetadataException.class);
    assertNothingStored("new file with big metadata");
    assertThatThrownBy(() -> store.disks().artifacts().update(disk, "/", "a.txt",
            Map.of("k", tooBig)))
        .isInstanceOf(InvalidMetadataException.class);
    assertNothingStored("update with big metadata");
    // multi-byte characters count in UTF-8 bytes
    String wide = "\u20ac".repeat(fits.length() / 3 + 1);
    assertThatThrownBy(() -> store.disks().artifacts().update(disk, "/", "a.txt",
            Map.of("k", wide)))
        .isInstanceOf(InvalidMetadataException.class);
    assertNothingStored("update with multi-byte metadata");

    Artifact atLimit = store.disks().artifacts().update(disk, "/", "a.txt", Map.of("k", fits));
    assertThat(atLimit.userMeta()).containsEntry("k", fits);
    assertThat(("{\"k\":\"" + fits + "\"}").getBytes(UTF_8)).hasSize(MAX_META);
    figures.put("maxMetadataBytes", MAX_META);
  }

  @BeforeAll
  static void startFigures() {
    figures = Figures.of("limits");
  }

  @AfterAll
  static void report() {
    figures.report();
  }
}
