package dev.diskstore.s3;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.diskstore.Artifact;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.GcReport;
import dev.diskstore.StorageException;
import dev.diskstore.spi.BlobKeys;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The S3 server goes away in the middle of an upsert: the upsert fails with a retryable {@link
 * StorageException}, the previous version stays readable and the index unchanged, and once the
 * server is back, garbage collection removes what the failed write left (an unfinished multipart
 * upload included) and verification is clean.
 */
class S3ServerStopTest {
  private static final int MIB = 1024 * 1024;

  @ParameterizedTest(name = "{0} bytes, server stopped after {1}")
  @CsvSource({
    // one PutObject: the server stops while the content is being read
    "1048576, 524288",
    // multipart: the first 5 MiB part is uploaded, the server stops during the second
    "12582912, 7340032"
  })
  void theServerStoppingMidUpsertLeavesThePreviousVersion(
      long size, long stopAfter, @TempDir Path dir) throws Exception {
    try (RestartableS3Proxy server = new RestartableS3Proxy(dir.resolve("s3"));
        S3Client admin = SharedS3Proxy.adminClient(server.endpoint())) {
      admin.createBucket(b -> b.bucket(SharedS3Proxy.BUCKET));
      S3BlobBackend backend =
          SharedS3Proxy.builderFor(server.endpoint(), "stop/")
              .partSize(5 * MIB)
              .multipartThreshold(5 * MIB)
              .build();
      try (DiskStore store =
          DiskStore.open(
              DiskStoreConfig.builder().directory(dir.resolve("index")).backend(backend).build())) {
        String disk = store.disks().create().id();
        Artifact before =
            store
                .disks()
                .artifacts()
                .upsert(disk, FileUpload.ofText("plan.md", "# version one"), "/");

        PositionalBytes.Stream stopping =
            new PositionalBytes.Stream(size) {
              private boolean stopped;

              @Override
              void beforeRead(long position) {
                if (!stopped && position >= stopAfter) {
                  stopped = true;
                  server.stop();
                }
              }
            };
        StorageException failure =
            catchThrowableOfType(
                StorageException.class,
                () ->
                    store
                        .disks()
                        .artifacts()
                        .upsert(disk, FileUpload.of("plan.md", stopping), "/"));

        assertThat(failure).as("the upsert failed").isNotNull();
        assertThat(failure.isRetryable()).as("retryable: %s", failure.getMessage()).isTrue();
        assertThat(failure.getMessage()).contains("cannot connect to the S3 endpoint");

        server.start();
        Artifact after = store.disks().artifacts().get(disk, "/", "plan.md").artifact();
        assertThat(after).isEqualTo(before);
        try (InputStream in = store.disks().artifacts().open(disk, "/", "plan.md")) {
          assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("# version one");
        }
        assertThat(store.disks().artifacts().list(disk, "/").artifacts()).containsExactly(before);

        GcReport gc = store.maintenance().collectGarbage();
        // A single PutObject that failed left nothing; a multipart upload left its first part,
        // which the store's background cleanup (never the caller) or this collection removed.
        assertThat(gc.abandonedWrites())
            .as("the failed write's leftovers")
            .isBetween(0, size > 5 * MIB ? 1 : 0);
        assertThat(store.maintenance().verify(true).problems()).isEmpty();
        assertThat(SharedS3Proxy.uploadsInProgress(admin, "stop/")).isEmpty();
        List<String> objects = listObjects(admin).stream()
            .filter(k -> !k.endsWith(BlobKeys.STORE_MARKER + ".blob")).toList();
        assertThat(objects).hasSize(1).allMatch(k -> k.startsWith("stop/") && k.endsWith(".blob"));
      }
    }
  }

  private static List<String> listObjects(S3Client admin) {
    return admin.listObjectsV2Paginator(b -> b.bucket(SharedS3Proxy.BUCKET)).contents().stream()
        .map(S3Object::key)
        .toList();
  }
}
