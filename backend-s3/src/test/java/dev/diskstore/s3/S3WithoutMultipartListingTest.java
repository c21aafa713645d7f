package dev.diskstore.s3;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.GcReport;
import dev.diskstore.History;
import dev.diskstore.spi.BlobKeys;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An S3-compatible server without {@code ListMultipartUploads}: S3Proxy behind a front that answers
 * {@code GET /bucket?uploads} with 501 NotImplemented, as some S3-compatible stores do. Deleting a
 * blob must not depend on that call; listing unfinished uploads degrades to "none" with one
 * warning; a whole store on top deletes artifacts, collects garbage and verifies cleanly.
 */
class S3WithoutMultipartListingTest {
  /** Held here: java.util.logging keeps loggers only weakly, and with them the handler. */
  private static final Logger LOGGER = Logger.getLogger(S3BlobBackend.class.getName());

  private static InterceptingS3Server server;
  private static int prefixes;

  private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
            warnings.add(record);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeAll
  static void startServer() throws Exception {
    server =
        new InterceptingS3Server(
            (request, upstream) -> {
              if (request.method().equals("GET")
                  && request.hasQueryParameter("uploads")
                  && request.rawPath().replaceAll("/$", "").equals("/" + SharedS3Proxy.BUCKET)) {
                // keys under "denied/": a policy without s3:ListBucketMultipartUploads
                return request.rawQuery().contains("prefix=denied")
                    ? error(403, "AccessDenied", "Access Denied")
                    : error(
                        501,
                        "NotImplemented",
                        "A header you provided implies functionality that is not implemented");
              }
              return upstream.forward(request);
            });
  }

  private static InterceptingS3Server.Answer error(int status, String code, String message) {
    byte[] body =
        ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>"
                + code
                + "</Code><Message>"
                + message
                + "</Message><RequestId>req-"
                + status
                + "</RequestId></Error>")
            .getBytes(UTF_8);
    return new InterceptingS3Server.Answer(
        status, Map.of("content-type", List.of("application/xml")), body);
  }

  @AfterAll
  static void stopServer() throws Exception {
    server.close();
  }

  @BeforeEach
  void captureWarnings() {
    LOGGER.addHandler(capture);
  }

  @AfterEach
  void stopCapturing() {
    LOGGER.removeHandler(capture);
  }

  private static synchronized String newPrefix() {
    return "n" + ++prefixes + "/";
  }

  private static S3BlobBackend backend(String prefix) {
    return SharedS3Proxy.builderFor(server.endpoint(), prefix).build();
  }

  private static List<String> objectsUnder(String prefix) {
    try (S3Client admin = server.admin()) {
      return admin
          .listObjectsV2Paginator(b -> b.bucket(SharedS3Proxy.BUCKET).prefix(prefix))
          .contents()
          .stream()
          .map(S3Object::key)
          .filter(k -> !k.equals(prefix + BlobKeys.STORE_MARKER + ".blob"))
          .toList();
    }
  }

  private static long uploadsListings() {
    return server.requests().stream()
        .filter(r -> r.startsWith("GET") && r.contains("uploads"))
        .count();
  }

  @Test
  void theServerReallyLacksTheCall() {
    try (S3Client admin = SharedS3Proxy.adminClient(server.endpoint())) {
      AwsServiceException e =
          catchThrowableOfType(
              AwsServiceException.class,
              () -> admin.listMultipartUploads(b -> b.bucket(SharedS3Proxy.BUCKET)));
      assertThat(e.statusCode()).isEqualTo(501);
    }
  }

  @Test
  void deleteRemovesTheBlobWithoutListingUploads() {
    String prefix = newPrefix();
    try (S3BlobBackend backend = backend(prefix)) {
      backend.write("a/b", new ByteArrayInputStream(new byte[] {1, 2, 3}), OptionalLong.of(3));
      assertThat(objectsUnder(prefix)).containsExactly(prefix + "a/b.blob");
      long listingsBefore = uploadsListings();

      assertThat(backend.delete("a/b")).isTrue();

      assertThat(objectsUnder(prefix)).isEmpty();
      assertThat(backend.delete("a/b")).as("idempotent").isFalse();
      assertThat(uploadsListings()).as("ListMultipartUploads calls").isEqualTo(listingsBefore);
    }
  }

  @Test
  void listingUnfinishedUploadsDegradesToNoneWithOneWarningPerBackend() {
    String prefix = newPrefix();
    try (S3BlobBackend backend = backend(prefix)) {
      for (int i = 0; i < 3; i++) {
        try (Stream<String> incomplete = backend.listIncomplete("")) {
          assertThat(incomplete).isEmpty();
        }
      }
      backend.deleteIncomplete("a/b");

      assertThat(warnings).hasSize(1);
      String warning = warnings.get(0).getMessage();
      assertThat(warning)
          .contains(server.endpoint().toString())
          .contains("s3://" + SharedS3Proxy.BUCKET + "/" + prefix)
          .contains("ListMultipartUploads")
          .contains("501")
          .contains("lifecycle rule");
    }
    try (S3BlobBackend another = backend(prefix)) {
      try (Stream<String> incomplete = another.listIncomplete("")) {
        assertThat(incomplete).isEmpty();
      }
      assertThat(warnings).as("one warning per backend instance").hasSize(2);
    }
  }

  @Test
  void credentialsThatMayNotListUploadsDegradeTheSameWay() {
    try (S3BlobBackend backend = backend("denied/")) {
      try (Stream<String> incomplete = backend.listIncomplete("")) {
        assertThat(incomplete).isEmpty();
      }
      backend.deleteIncomplete("a/b");
      assertThat(warnings).hasSize(1);
      assertThat(warnings.get(0).getMessage())
          .contains("s3:ListBucketMultipartUploads")
          .contains("HTTP 403 AccessDenied")
          .contains("lifecycle rule");
    }
  }

  @Test
  void aStoreOnTopDeletesArtifactsCollectsGarbageAndVerifies(@TempDir Path dir) {
    String prefix = newPrefix();
    // without history, so that the delete makes the object garbage and deletes it at once (with
    // history the deleted version would keep it, and no blob delete would run)
    try (DiskStore store = DiskStore.open(DiskStoreConfig.builder().directory(dir)
        .backend(backend(prefix)).history(History.off()).build())) {
      String disk = store.disks().create().id();
      store.disks().artifacts().upsert(disk, FileUpload.ofText("keep.txt", "kept"), "/");
      store.disks().artifacts().upsert(disk, FileUpload.ofText("gone.txt", "deleted"), "/");
      assertThat(objectsUnder(prefix)).hasSize(2);

      store.disks().artifacts().delete(disk, "/", "gone.txt");

      assertThat(objectsUnder(prefix)).as("the deleted artifact's object is gone").hasSize(1);
      GcReport gc = store.maintenance().collectGarbage();
      assertThat(gc.orphanObjects()).isZero();
      assertThat(store.maintenance().verify().isClean()).isTrue();
      assertThat(store.maintenance().verify(true).isClean()).isTrue();
      assertThat(objectsUnder(prefix)).hasSize(1);
    }
  }
}
