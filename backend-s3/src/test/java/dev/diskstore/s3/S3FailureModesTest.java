package dev.diskstore.s3;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import dev.diskstore.ByteRange;
import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.FileUpload;
import dev.diskstore.InvalidRequestException;
import dev.diskstore.StorageException;
import dev.diskstore.spi.BlobStat;
import dev.diskstore.spi.PublicUrlRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What each S3 failure turns into: the exception type, whether it is retryable, and what the
 * message says. Real servers only: S3Proxy with signature checking for credentials and buckets, a
 * closed port for a refused connection, and a small HTTP server answering S3 error documents for
 * throttling and 5xx responses.
 */
class S3FailureModesTest {
  private static final SharedS3Proxy S3 = new SharedS3Proxy("transient");

  @BeforeAll
  static void startProxy() throws Exception {
    S3.start();
  }

  @AfterAll
  static void stopProxy() {
    S3.stop();
  }

  private static void write(S3BlobBackend backend, String key) {
    backend.write(key, new ByteArrayInputStream(new byte[] {1, 2, 3}), OptionalLong.of(3));
  }

  /**
   * 3 MB: S3Proxy refuses a bad request before reading such a body and closes the connection, so
   * the client sees a broken connection rather than the answer (the backend must find out why).
   */
  private static void writeLarge(S3BlobBackend backend, String key) {
    backend.write(key, new ByteArrayInputStream(new byte[3_000_000]), OptionalLong.empty());
  }

  // ---------------------------------------------------------------- credentials and buckets

  @Test
  void aWrongSecretIsAClearNonRetryableAccessDenied() {
    try (S3BlobBackend backend =
        S3.backend(S3.newPrefix())
            .credentials(SharedS3Proxy.ACCESS_KEY, "not-the-secret")
            .chunkedEncoding(true) // the SDK's default: S3Proxy answers before reading the body
            .build()) {
      for (Runnable call :
          List.<Runnable>of(
              () -> write(backend, "a"),
              () -> writeLarge(backend, "b"),
              () -> backend.open("a", ByteRange.from(0)),
              () -> backend.stat("a"),
              () -> backend.delete("a"),
              () -> backend.list("").count())) {
        StorageException e = catchThrowableOfType(StorageException.class, call::run);
        assertThat(e).as("call failed").isNotNull();
        assertThat(e.isRetryable()).as("retryable: %s", e.getMessage()).isFalse();
        assertThat(e.getMessage())
            .contains("access denied by the S3 service")
            .contains("s3://" + SharedS3Proxy.BUCKET + "/")
            .contains("HTTP 403");
      }
      // Responses with a body name the reason (a HEAD response has none).
      assertThat(catchThrowableOfType(StorageException.class, () -> write(backend, "a")))
          .hasMessageContaining("(SignatureDoesNotMatch)");
    }
  }

  @Test
  void anUnknownAccessKeyIsAccessDeniedToo() {
    try (S3BlobBackend backend =
        S3.backend(S3.newPrefix()).credentials("nobody", SharedS3Proxy.SECRET_KEY).build()) {
      StorageException e = catchThrowableOfType(StorageException.class, () -> write(backend, "a"));
      assertThat(e.isRetryable()).isFalse();
      assertThat(e).hasMessageContaining("access denied by the S3 service");
    }
  }

  @Test
  void aStoreWithAWrongSecretFailsClearly(@TempDir Path dir) {
    String prefix = S3.newPrefix();
    // a new store must write its marker: opening fails, clearly and not retryably
    StorageException refused =
        catchThrowableOfType(
            StorageException.class,
            () -> DiskStore.open(DiskStoreConfig.builder().directory(dir.resolve("new"))
                .backend(S3.backend(prefix).credentials(SharedS3Proxy.ACCESS_KEY, "wrong").build())
                .build()));
    assertThat(refused).isNotNull();
    assertThat(refused.isRetryable()).isFalse();
    assertThat(refused).hasMessageContaining("access denied");

    // an established store opens (its marker check and garbage collection fail in the
    // background, logged); every blob call fails clearly
    String disk;
    try (DiskStore store = DiskStore.open(DiskStoreConfig.builder().directory(dir)
        .backend(S3.backend(prefix).build()).build())) {
      disk = store.disks().create().id();
    }
    S3BlobBackend backend =
        S3.backend(prefix).credentials(SharedS3Proxy.ACCESS_KEY, "wrong").build();
    try (DiskStore store =
        DiskStore.open(DiskStoreConfig.builder().directory(dir).backend(backend).build())) {
      StorageException upsert =
          catchThrowableOfType(
              StorageException.class,
              () -> store.disks().artifacts().upsert(disk, FileUpload.ofText("a.txt", "a")));
      assertThat(upsert.isRetryable()).isFalse();
      assertThat(upsert).hasMessageContaining("access denied");
      assertThat(store.disks().artifacts().list(disk, "/").artifacts()).isEmpty();
      StorageException ping = catchThrowableOfType(StorageException.class, store::ping);
      assertThat(ping.isRetryable()).isFalse();
      assertThat(ping).hasMessageContaining("access denied");
    }
  }

  @Test
  void anUnknownBucketIsNotRetryableAndSaysSo() {
    try (S3BlobBackend backend =
        S3.backend("").bucket("no-such-bucket").chunkedEncoding(true).build()) {
      for (Runnable call :
          List.<Runnable>of(
              () -> write(backend, "a"),
              () -> writeLarge(backend, "b"),
              () -> backend.open("a", ByteRange.from(0)),
              () -> backend.stat("a"),
              () -> backend.delete("a"),
              () -> backend.list("").count())) {
        StorageException e = catchThrowableOfType(StorageException.class, call::run);
        assertThat(e).isNotNull();
        assertThat(e.isRetryable()).as("retryable: %s", e.getMessage()).isFalse();
        assertThat(e.getMessage()).contains("does not exist").contains("no-such-bucket");
      }
    }
  }

  // ---------------------------------------------------------------- network

  @Test
  void aRefusedConnectionIsRetryable() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    URI closed = URI.create("http://127.0.0.1:" + port);
    try (S3BlobBackend backend = SharedS3Proxy.builderFor(closed, "").build()) {
      for (Runnable call :
          List.<Runnable>of(
              () -> write(backend, "a"), () -> backend.stat("a"), () -> backend.list("").count())) {
        StorageException e = catchThrowableOfType(StorageException.class, call::run);
        assertThat(e).isNotNull();
        assertThat(e.isRetryable()).as("retryable: %s", e.getMessage()).isTrue();
        assertThat(e.getMessage()).contains("cannot connect to the S3 endpoint");
      }
    }
  }

  // ---------------------------------------------------------------- service errors

  @ParameterizedTest(name = "HTTP {0} {1} -> retryable {2}")
  @CsvSource({
    "503, SlowDown, true",
    "500, InternalError, true",
    "429, TooManyRequests, true",
    "400, RequestTimeout, true",
    "501, NotImplemented, false",
    "405, MethodNotAllowed, false",
    "403, AccessDenied, false",
    "400, InvalidArgument, false",
    "301, PermanentRedirect, false"
  })
  void serviceErrorsAreRetryableExactlyForThrottlingTimeoutsAndServerFailures(
      int status, String code, boolean retryable) throws IOException {
    try (ErrorServer server = new ErrorServer(status, code);
        S3Client client = noRetryClient(server.endpoint());
        S3BlobBackend backend =
            S3BlobBackend.builder().bucket("b").s3Client(client).pathStyleAccess(true).build()) {
      StorageException e = catchThrowableOfType(StorageException.class, () -> write(backend, "k"));

      assertThat(e.isRetryable()).as(e.getMessage()).isEqualTo(retryable);
      assertThat(e.getMessage()).contains(code).contains("HTTP " + status).contains("req-42");
      assertThat(server.requests.get())
          .as("requests (retries are off; no clean-up call after a failed write)")
          .isEqualTo(1);
    }
  }

  @Test
  void theSdkRetriesServerFailuresBeforeTheyReachTheCaller() throws IOException {
    try (ErrorServer server = new ErrorServer(500, "InternalError");
        S3BlobBackend backend = SharedS3Proxy.builderFor(server.endpoint(), "").build()) {
      StorageException e = catchThrowableOfType(StorageException.class, () -> write(backend, "k"));
      assertThat(e.isRetryable()).isTrue();
      assertThat(server.puts.get())
          .as("attempts by default")
          .isEqualTo(S3BlobBackend.DEFAULT_MAX_ATTEMPTS);
      assertThat(e).hasMessageContaining(S3BlobBackend.DEFAULT_MAX_ATTEMPTS + " attempts");
      assertThat(server.requests.get())
          .as("no clean-up call after the failure")
          .isEqualTo(S3BlobBackend.DEFAULT_MAX_ATTEMPTS);
    }
    try (ErrorServer server = new ErrorServer(503, "SlowDown");
        S3BlobBackend backend =
            SharedS3Proxy.builderFor(server.endpoint(), "").maxAttempts(1).build()) {
      assertThat(catchThrowableOfType(StorageException.class, () -> write(backend, "k")))
          .hasMessageContaining("SlowDown");
      assertThat(server.requests.get()).as("maxAttempts(1): no retry").isEqualTo(1);
    }
  }

  @Test
  void aServerLackingACallIsNotRetriedAndSaysSo() throws IOException {
    try (ErrorServer server = new ErrorServer(501, "NotImplemented");
        S3BlobBackend backend = SharedS3Proxy.builderFor(server.endpoint(), "").build()) {
      StorageException e = catchThrowableOfType(StorageException.class, () -> write(backend, "k"));
      assertThat(e.isRetryable()).isFalse();
      assertThat(e)
          .hasMessageContaining("does not implement this call (NotImplemented)")
          .hasMessageContaining(server.endpoint().toString());
      assertThat(server.requests.get()).as("not retried by the SDK either").isEqualTo(1);
    }
  }

  // ---------------------------------------------------------------- clients and configuration

  @Test
  void aCallerSuppliedClientIsUsedAndNotClosed() throws IOException {
    String prefix = S3.newPrefix();
    try (S3Client client = SharedS3Proxy.adminClient(S3.endpoint())) {
      S3BlobBackend backend =
          S3BlobBackend.builder()
              .bucket(SharedS3Proxy.BUCKET)
              .keyPrefix(prefix)
              .s3Client(client)
              .pathStyleAccess(true)
              .build();
      write(backend, "x/y");
      try (InputStream in = backend.open("x/y", ByteRange.of(1, 5))) {
        assertThat(in.readAllBytes()).containsExactly(2, 3);
      }
      URI url =
          backend
              .publicUrlSigner()
              .orElseThrow()
              .sign(
                  new PublicUrlRequest(
                      "d",
                      "/",
                      "y",
                      "x/y",
                      "0".repeat(64),
                      "e",
                      "application/octet-stream",
                      3,
                      Duration.ofMinutes(1),
                      Instant.now().plusSeconds(60)));
      assertThat(url.getHost())
          .as("the presigner took the client's endpoint")
          .isEqualTo("127.0.0.1");
      assertThat(url.getRawPath()).startsWith("/" + SharedS3Proxy.BUCKET + "/" + prefix);
      backend.close();

      assertThatCode(() -> client.headBucket(b -> b.bucket(SharedS3Proxy.BUCKET)))
          .as("the caller's client still works")
          .doesNotThrowAnyException();
    }
  }

  @Test
  void badSettingsAreRejectedNamingTheSetting() {
    URI endpoint = S3.endpoint();
    assertInvalid(b -> {}, "bucket is required", false);
    assertInvalid(b -> b.bucket("a/b"), "bucket", false);
    assertInvalid(b -> b.bucket("b").keyPrefix("no-slash"), "keyPrefix must end with '/'", true);
    assertInvalid(b -> b.bucket("b").keyPrefix("/abs/"), "keyPrefix must not start", true);
    assertInvalid(b -> b.bucket("b").keyPrefix("a//b/"), "keyPrefix must not contain '//'", true);
    assertInvalid(b -> b.bucket("b").partSize(4L << 20), "partSize", true);
    assertInvalid(b -> b.bucket("b").partSize(2L << 30), "partSize", true);
    assertInvalid(
        b -> b.bucket("b").partSize(5L << 20).multipartThreshold(6L << 20),
        "multipartThreshold",
        true);
    assertInvalid(b -> b.bucket("b").multipartThreshold(-1), "multipartThreshold", true);
    assertThatExceptionOfType(InvalidRequestException.class)
        .isThrownBy(() -> S3BlobBackend.builder().attemptTimeout(Duration.ZERO))
        .withMessageContaining("attemptTimeout must be positive");
    assertThatExceptionOfType(InvalidRequestException.class)
        .isThrownBy(() -> S3BlobBackend.builder().connectTimeout(Duration.ofSeconds(-1)))
        .withMessageContaining("connectTimeout must be positive");
    assertThatExceptionOfType(InvalidRequestException.class)
        .isThrownBy(() -> S3BlobBackend.builder().maxAttempts(0))
        .withMessageContaining("maxAttempts must be 1 to 10");
    assertThatExceptionOfType(InvalidRequestException.class)
        .isThrownBy(() -> S3BlobBackend.builder().minUploadRate(100))
        .withMessageContaining("minUploadRate");
    assertInvalid(
        b -> b.bucket("b").attemptTimeout(Duration.ofSeconds(40)),
        "callTimeout (PT30S) must be at least the attemptTimeout (PT40S)",
        true);
    assertInvalid(
        b ->
            b.bucket("b")
                .httpClient(UrlConnectionHttpClient.create())
                .connectTimeout(Duration.ofSeconds(1)),
        "connectTimeout cannot be set together with httpClient",
        true);
    assertInvalid(b -> b.bucket("b"), "region is required", false);
    assertThatExceptionOfType(InvalidRequestException.class)
        .isThrownBy(() -> S3BlobBackend.builder().endpoint(URI.create("ftp://host")))
        .withMessageContaining("endpoint must be an http(s) URI");
    assertThatExceptionOfType(InvalidRequestException.class)
        .isThrownBy(() -> S3BlobBackend.builder().publicEndpoint(URI.create("https://h/p?q")))
        .withMessageContaining("publicEndpoint");
    try (S3Client client = SharedS3Proxy.adminClient(endpoint)) {
      assertThatExceptionOfType(InvalidRequestException.class)
          .isThrownBy(
              () ->
                  S3BlobBackend.builder()
                      .bucket("b")
                      .s3Client(client)
                      .httpClient(UrlConnectionHttpClient.create())
                      .chunkedEncoding(false)
                      .build())
          .withMessageContaining(
              "httpClient, chunkedEncoding cannot be set together with s3Client");
      assertThatExceptionOfType(InvalidRequestException.class)
          .isThrownBy(
              () ->
                  S3BlobBackend.builder()
                      .bucket("b")
                      .s3Client(client)
                      .connectTimeout(Duration.ofSeconds(1))
                      .attemptTimeout(Duration.ofSeconds(1))
                      .callTimeout(Duration.ofSeconds(1))
                      .maxAttempts(2)
                      .build())
          .withMessageContaining(
              "connectTimeout, attemptTimeout, callTimeout, maxAttempts cannot be set together"
                  + " with s3Client");
    }
  }

  @Test
  void storesSharingABucketUnderDifferentPrefixesDoNotSeeEachOther(@TempDir Path dir)
      throws IOException {
    String first = S3.newPrefix();
    String second = S3.newPrefix();
    try (S3BlobBackend other = S3.backend(second).build()) {
      write(other, "ab/cd/0123");
      try (DiskStore store =
          DiskStore.open(
              DiskStoreConfig.builder()
                  .directory(dir)
                  .backend(S3.backend(first).build())
                  .build())) {
        String disk = store.disks().create().id();
        store.disks().artifacts().upsert(disk, FileUpload.ofText("a.txt", "first"), "/");
        assertThat(store.maintenance().collectGarbage().orphanObjects()).isZero();
        assertThat(store.maintenance().verify().isClean()).isTrue();
        try (InputStream in = store.disks().artifacts().open(disk, "/", "a.txt")) {
          assertThat(new String(in.readAllBytes(), UTF_8)).isEqualTo("first");
        }
      }
      try (Stream<BlobStat> blobs = other.list("")) {
        assertThat(blobs).containsExactly(new BlobStat("ab/cd/0123", 3));
      }
    }
  }

  private static void assertInvalid(
      Consumer<S3BlobBackend.Builder> settings, String message, boolean withRegion) {
    S3BlobBackend.Builder builder = S3BlobBackend.builder();
    if (withRegion) {
      builder.region("us-east-1").credentials("a", "b");
    }
    settings.accept(builder);
    assertThatExceptionOfType(InvalidRequestException.class)
        .isThrownBy(builder::build)
        .withMessageContaining(message);
  }

  private static S3Client noRetryClient(URI endpoint) {
    return S3Client.builder()
        .httpClient(UrlConnectionHttpClient.create())
        .region(Region.US_EAST_1)
        .endpointOverride(endpoint)
        .forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
        .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
        .build();
  }

  /** A real HTTP server answering every request with one S3 error document. */
  private static final class ErrorServer implements AutoCloseable {
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger puts = new AtomicInteger();
    private final HttpServer server;

    ErrorServer(int status, String code) throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      byte[] body =
          ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>"
                  + code
                  + "</Code><Message>simulated "
                  + code
                  + "</Message><RequestId>req-42</RequestId>"
                  + "</Error>")
              .getBytes(UTF_8);
      server.createContext(
          "/",
          exchange -> {
            requests.incrementAndGet();
            if (exchange.getRequestMethod().equals("PUT")) {
              puts.incrementAndGet();
            }
            exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().add("Content-Type", "application/xml");
            exchange.getResponseHeaders().add("x-amz-request-id", "req-42");
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
              out.write(body);
            }
          });
      server.start();
    }

    URI endpoint() {
      return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }
}
