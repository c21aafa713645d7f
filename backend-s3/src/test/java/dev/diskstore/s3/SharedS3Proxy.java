package dev.diskstore.s3;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * One in-process S3Proxy (signature checking on) shared by the tests of a class: start it from
 * {@code @BeforeAll}, stop it from {@code @AfterAll}. S3ProxyExtension's per-test callbacks ignore
 * their context, so calling them once per class shares one proxy (see dependencies.md 2.1.2). Each
 * test isolates itself with a fresh key prefix in the one bucket, {@link #BUCKET}.
 */
final class SharedS3Proxy {
  static final String ACCESS_KEY = "diskstore-access";
  static final String SECRET_KEY = "diskstore-secret";
  static final String BUCKET = "diskstore-test";

  private final S3ProxyExtension proxy;
  private final AtomicInteger prefixes = new AtomicInteger();
  private S3Client admin;

  /**
   * @param provider {@code transient} (in memory) or {@code filesystem} (a temp directory)
   */
  SharedS3Proxy(String provider) {
    this.proxy =
        S3ProxyExtension.builder()
            .withCredentials(ACCESS_KEY, SECRET_KEY)
            .withBlobStoreProvider(provider)
            .build();
  }

  void start() throws Exception {
    proxy.beforeEach(null);
    admin = adminClient(endpoint());
    admin.createBucket(b -> b.bucket(BUCKET));
  }

  void stop() {
    if (admin != null) {
      admin.close();
    }
    proxy.afterEach(null);
  }

  /** {@code http://127.0.0.1:<port>}. */
  URI endpoint() {
    return proxy.getUri();
  }

  /** A plain S3 client for the tests' own inspection (buckets, uploads); the test closes it. */
  static S3Client adminClient(URI endpoint) {
    return S3Client.builder()
        .httpClient(UrlConnectionHttpClient.create())
        .region(Region.US_EAST_1)
        .endpointOverride(endpoint)
        .forcePathStyle(true)
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .build();
  }

  S3Client admin() {
    return admin;
  }

  /** A prefix no other test of this proxy uses, like {@code t7/}. */
  String newPrefix() {
    return "t" + prefixes.incrementAndGet() + "/";
  }

  /** A backend builder for the bucket and {@code prefix}, as the tests configure it. */
  S3BlobBackend.Builder backend(String prefix) {
    return builderFor(endpoint(), prefix);
  }

  /**
   * The tests' backend settings. {@code chunkedEncoding(false)}: on {@code aws-chunked} uploads
   * with trailing checksums (the SDK's default over plain HTTP), S3Proxy 4.1.0 stores the object
   * and answers before it has read the end of the body, then resets the connection; a client that
   * is still writing the trailer sees "Error writing request body to server". Under load that
   * happened for all four attempts of one PUT in about one full test run of five. Plain bodies (the
   * SDK signs the payload up front) do not have the problem. S3MultipartTest and S3FailureModesTest
   * cover the SDK's default encoding.
   */
  static S3BlobBackend.Builder builderFor(URI endpoint, String prefix) {
    return S3BlobBackend.builder()
        .bucket(BUCKET)
        .keyPrefix(prefix)
        .region("us-east-1")
        .endpoint(endpoint)
        .pathStyleAccess(true)
        .credentials(ACCESS_KEY, SECRET_KEY)
        .chunkedEncoding(false);
  }

  /** Multipart uploads in progress whose key starts with {@code prefix}. */
  static List<MultipartUpload> uploadsInProgress(S3Client admin, String prefix) {
    List<MultipartUpload> uploads = new ArrayList<>();
    admin
        .listMultipartUploadsPaginator(b -> b.bucket(BUCKET).prefix(prefix))
        .uploads()
        .forEach(uploads::add);
    return uploads;
  }
}
