package dev.diskstore.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.diskstore.Artifact;
import dev.diskstore.ByteRange;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.GcReport;
import dev.diskstore.StorageException;
import dev.diskstore.spi.BlobKeys;
import dev.diskstore.spi.BlobStat;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * Large and multipart writes on S3Proxy ({@code transient}): a 64 MiB upsert of unknown length in 5
 * MiB parts read back byte-identical, also in ranges; where the threshold between one {@code
 * PutObject} and a multipart upload lies; a failed upload left in progress (never aborted on the
 * caller's time) for {@code listIncomplete} and garbage collection; {@code deleteIncomplete}
 * aborting the uploads of exactly its key, and {@code delete} leaving them alone.
 */
class S3MultipartTest {
  private static final int MIB = 1024 * 1024;
  private static final SharedS3Proxy S3 = new SharedS3Proxy("transient");

  @BeforeAll
  static void startProxy() throws Exception {
    S3.start();
  }

  @AfterAll
  static void stopProxy() {
    S3.stop();
  }

  /** 5 MiB parts (the S3 minimum) and threshold, so that 64 MiB is 13 parts. */
  private static S3BlobBackend smallParts(String prefix) {
    return S3.backend(prefix).partSize(5 * MIB).multipartThreshold(5 * MIB).build();
  }

  @Test
  void a64MiBUpsertOfUnknownLengthGoesUpInPartsAndReadsBackIdentical(@TempDir Path dir)
      throws IOException {
    long size = 64L * MIB;
    String prefix = S3.newPrefix();
    try (DiskStore store =
        DiskStore.open(
            DiskStoreConfig.builder().directory(dir).backend(smallParts(prefix)).build())) {
      String disk = store.disks().create().id();
      PositionalBytes.Stream content = PositionalBytes.stream(size);

      Artifact artifact =
          store.disks().artifacts().upsert(disk, FileUpload.of("big.bin", content), "/data/");

      assertThat(content.position()).isEqualTo(size);
      assertThat(artifact.sizeBytes()).isEqualTo(size);
      String expectedSha = HexFormat.of().formatHex(PositionalBytes.sha256(size));
      assertThat(artifact.sha256()).isEqualTo(expectedSha);

      MessageDigest digest = PositionalBytes.newSha256();
      try (InputStream in = store.disks().artifacts().open(disk, "/data/", "big.bin");
          DigestInputStream hashing = new DigestInputStream(in, digest)) {
        assertThat(hashing.transferTo(OutputSink.INSTANCE)).isEqualTo(size);
      }
      assertThat(HexFormat.of().formatHex(digest.digest())).isEqualTo(expectedSha);

      // Ranges inside one part, across a part boundary (5 MiB), and to the end.
      long[][] ranges = {{0, 1000}, {5L * MIB - 10, 20}, {33L * MIB + 7, 3 * MIB}, {size - 5, 100}};
      for (long[] range : ranges) {
        try (InputStream in =
            store
                .disks()
                .artifacts()
                .open(disk, "/data/", "big.bin", ByteRange.of(range[0], range[1]))) {
          byte[] bytes = in.readAllBytes();
          assertThat(bytes).hasSize((int) Math.min(range[1], size - range[0]));
          assertThat(PositionalBytes.equalsSlice(bytes, range[0]))
              .as("bytes %d+%d", range[0], range[1])
              .isTrue();
        }
      }

      // One object, uploaded as a 13-part multipart upload, nothing left in progress.
      assertThat(SharedS3Proxy.uploadsInProgress(S3.admin(), prefix)).isEmpty();
      assertThat(objectsUnder(prefix)).hasSize(1);
      assertThat(store.maintenance().verify(true).isClean()).isTrue();
    }
  }

  @Test
  void contentUpToTheThresholdIsOnePutAndLongerContentIsMultipart() {
    String prefix = S3.newPrefix();
    try (S3BlobBackend backend = smallParts(prefix)) {
      for (long size : new long[] {0, 1, 5L * MIB - 1, 5L * MIB, 5L * MIB + 1, 12L * MIB}) {
        String key = "size/" + size;
        for (OptionalLong hint : new OptionalLong[] {OptionalLong.empty(), OptionalLong.of(size)}) {
          assertThat(backend.write(key, PositionalBytes.stream(size), hint)).isEqualTo(size);
          HeadObjectResponse head = head(backend, key);
          assertThat(head.contentLength()).isEqualTo(size);
          long parts = (size + 5L * MIB - 1) / (5L * MIB);
          if (size <= 5L * MIB) {
            assertThat(head.eTag())
                .as("ETag of %d bytes (one PutObject)", size)
                .doesNotContain("-");
          } else {
            assertThat(head.eTag())
                .as("ETag of %d bytes (multipart)", size)
                .endsWith("-" + parts + "\"");
          }
          try (InputStream in = backend.open(key, ByteRange.from(0))) {
            assertThat(PositionalBytes.equalsSlice(in.readAllBytes(), 0)).isTrue();
          } catch (IOException e) {
            throw new AssertionError(e);
          }
          assertThat(backend.delete(key)).isTrue();
        }
      }
    }
  }

  @Test
  void theSdkDefaultEncodingAndChecksumsWork() throws IOException {
    // aws-chunked bodies with trailing CRC32 checksums, and CRC32 part checksums on multipart
    String prefix = S3.newPrefix();
    try (S3BlobBackend backend =
        S3.backend(prefix)
            .chunkedEncoding(true)
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_SUPPORTED)
            .partSize(5 * MIB)
            .multipartThreshold(5 * MIB)
            .build()) {
      for (long size : new long[] {1000, 12L * MIB}) {
        String key = "default/" + size;
        assertThat(backend.write(key, PositionalBytes.stream(size), OptionalLong.empty()))
            .isEqualTo(size);
        try (InputStream in = backend.open(key, ByteRange.from(0))) {
          byte[] bytes = in.readAllBytes();
          assertThat(bytes).hasSize((int) size);
          assertThat(PositionalBytes.equalsSlice(bytes, 0)).isTrue();
        }
      }
      assertThat(SharedS3Proxy.uploadsInProgress(S3.admin(), prefix)).isEmpty();
    }
  }

  /** Content of 20 MiB that breaks after 12 MiB: two 5 MiB parts are uploaded by then. */
  private static PositionalBytes.Stream breakingAfterTwoParts() {
    return new PositionalBytes.Stream(20L * MIB) {
      @Override
      void beforeRead(long position) throws IOException {
        if (position >= 12L * MIB) {
          throw new IOException("the caller's stream broke");
        }
      }
    };
  }

  @Test
  void aStreamFailingAfterThePartsStartedLeavesTheUploadForDeleteIncomplete() {
    String prefix = S3.newPrefix();
    try (S3BlobBackend backend = smallParts(prefix)) {
      StorageException thrown =
          catchThrowableOfType(
              StorageException.class,
              () -> backend.write("broken/blob", breakingAfterTwoParts(), OptionalLong.empty()));

      assertThat(thrown)
          .hasMessageContaining("cannot read the content")
          .hasMessageContaining("broken/blob");
      assertThat(thrown.isRetryable()).isFalse();
      assertThat(thrown.getSuppressed()).as("no clean-up was attempted").isEmpty();
      assertThat(backend.stat("broken/blob")).isEmpty();
      assertThat(backend.list("")).isEmpty();
      assertThat(SharedS3Proxy.uploadsInProgress(S3.admin(), prefix))
          .as("left for garbage collection")
          .extracting(MultipartUpload::key)
          .containsExactly(backend.objectKey("broken/blob"));
      try (Stream<String> incomplete = backend.listIncomplete("")) {
        assertThat(incomplete).containsExactly("broken/blob");
      }

      backend.deleteIncomplete("broken/blob");

      assertThat(SharedS3Proxy.uploadsInProgress(S3.admin(), prefix)).isEmpty();
      try (Stream<String> incomplete = backend.listIncomplete("")) {
        assertThat(incomplete).isEmpty();
      }
      backend.deleteIncomplete("broken/blob"); // idempotent
    }
  }

  @Test
  void garbageCollectionRemovesTheUploadOfAFailedUpsert(@TempDir Path dir) {
    String prefix = S3.newPrefix();
    try (DiskStore store =
        DiskStore.open(
            DiskStoreConfig.builder().directory(dir).backend(smallParts(prefix)).build())) {
      String disk = store.disks().create().id();
      assertThat(
              catchThrowableOfType(
                  StorageException.class,
                  () ->
                      store
                          .disks()
                          .artifacts()
                          .upsert(disk, FileUpload.of("big.bin", breakingAfterTwoParts()), "/")))
          .hasMessageContaining("cannot read the content");
      assertThat(SharedS3Proxy.uploadsInProgress(S3.admin(), prefix))
          .as("the failed write's upload, unless the store's background cleanup aborted it")
          .hasSizeLessThanOrEqualTo(1);

      GcReport gc = store.maintenance().collectGarbage();

      assertThat(gc.abandonedWrites()).isBetween(0, 1);
      assertThat(SharedS3Proxy.uploadsInProgress(S3.admin(), prefix)).isEmpty();
      assertThat(objectsUnder(prefix)).isEmpty();
      assertThat(store.maintenance().verify(true).isClean()).isTrue();
    }
  }

  @Test
  void deleteIncompleteAbortsUploadsOfExactlyThatKeyAndDeleteLeavesThem() {
    String prefix = S3.newPrefix();
    try (S3BlobBackend backend = smallParts(prefix)) {
      // Uploads left behind by a crashed writer: one for the key, one for a longer key.
      String upload =
          S3.admin()
              .createMultipartUpload(
                  b -> b.bucket(SharedS3Proxy.BUCKET).key(backend.objectKey("k/1")))
              .uploadId();
      S3.admin()
          .uploadPart(
              b ->
                  b.bucket(SharedS3Proxy.BUCKET)
                      .key(backend.objectKey("k/1"))
                      .uploadId(upload)
                      .partNumber(1),
              RequestBody.fromBytes(new byte[] {1, 2, 3}));
      S3.admin()
          .createMultipartUpload(
              b -> b.bucket(SharedS3Proxy.BUCKET).key(backend.objectKey("k/1/2")));
      backend.write("k/1/2/3", new ByteArrayInputStream(new byte[] {7}), OptionalLong.of(1));

      assertThat(backend.delete("k/1")).as("no complete blob existed").isFalse();
      assertThat(SharedS3Proxy.uploadsInProgress(S3.admin(), prefix))
          .as("delete does not touch uploads")
          .hasSize(2);
      try (Stream<String> incomplete = backend.listIncomplete("k/")) {
        assertThat(incomplete).containsExactlyInAnyOrder("k/1", "k/1/2");
      }

      backend.deleteIncomplete("k/1");

      assertThat(SharedS3Proxy.uploadsInProgress(S3.admin(), prefix))
          .extracting(MultipartUpload::key)
          .containsExactly(backend.objectKey("k/1/2"));
      assertThat(backend.list("")).containsExactly(new BlobStat("k/1/2/3", 1));
      backend.deleteIncomplete("k/1/2");
      assertThat(SharedS3Proxy.uploadsInProgress(S3.admin(), prefix)).isEmpty();
      assertThat(backend.list("")).as("complete blobs are not touched").hasSize(1);
    }
  }

  private static HeadObjectResponse head(S3BlobBackend backend, String key) {
    return S3.admin().headObject(b -> b.bucket(SharedS3Proxy.BUCKET).key(backend.objectKey(key)));
  }

  /** The objects under the prefix but the store marker. */
  private static List<String> objectsUnder(String prefix) {
    List<String> keys = new ArrayList<>();
    S3.admin()
        .listObjectsV2Paginator(b -> b.bucket(SharedS3Proxy.BUCKET).prefix(prefix))
        .contents()
        .forEach(o -> keys.add(o.key()));
    keys.remove(prefix + BlobKeys.STORE_MARKER + ".blob");
    return keys;
  }

  /** Discards what is written to it. */
  private static final class OutputSink extends OutputStream {
    static final OutputSink INSTANCE = new OutputSink();

    @Override
    public void write(int b) {}

    @Override
    public void write(byte[] b, int off, int len) {}
  }
}
