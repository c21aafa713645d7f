package dev.diskstore.spring.boot;

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
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * One in-process S3Proxy (signature checking on, blobs in memory) per test JVM, started on first
 * use with the bucket {@link #BUCKET} and stopped when the JVM exits; each test takes a key prefix
 * of its own. S3ProxyExtension's callbacks ignore their context, so calling them once starts one
 * proxy (as backend-s3's SharedS3Proxy does).
 */
final class S3Proxies {
  static final String ACCESS_KEY = "boot-access";
  static final String SECRET_KEY = "boot-secret";
  static final String BUCKET = "boot-test";
  private static final AtomicInteger PREFIXES = new AtomicInteger();
  private static URI endpoint;

  private S3Proxies() {}

  /** {@code http://127.0.0.1:<port>} of the running proxy. */
  static synchronized URI endpoint() {
    if (endpoint == null) {
      S3ProxyExtension proxy =
          S3ProxyExtension.builder()
              .withCredentials(ACCESS_KEY, SECRET_KEY)
              .withBlobStoreProvider("transient")
              .build();
      try {
        proxy.beforeEach(null);
      } catch (Exception e) {
        throw new IllegalStateException("cannot start S3Proxy", e);
      }
      Runtime.getRuntime().addShutdownHook(new Thread(() -> proxy.afterEach(null)));
      try (S3Client admin = admin(proxy.getUri())) {
        admin.createBucket(b -> b.bucket(BUCKET));
      }
      endpoint = proxy.getUri();
    }
    return endpoint;
  }

  /** A prefix no other test uses, like {@code boot7/}. */
  static String newPrefix() {
    return "boot" + PREFIXES.incrementAndGet() + "/";
  }

  /** The properties of blobs under {@code prefix} in the proxy's bucket. */
  static String[] properties(String prefix) {
    return new String[] {
      "diskstore.s3.bucket=" + BUCKET,
      "diskstore.s3.prefix=" + prefix,
      "diskstore.s3.region=us-east-1",
      "diskstore.s3.endpoint=" + endpoint(),
      "diskstore.s3.path-style=true",
      "diskstore.s3.access-key=" + ACCESS_KEY,
      "diskstore.s3.secret-key=" + SECRET_KEY,
      // S3Proxy 4.1 sometimes resets aws-chunked uploads (see backend-s3's SharedS3Proxy)
      "diskstore.s3.chunked-encoding=false"
    };
  }

  /** The keys under {@code prefix}, read with a plain S3 client. */
  static List<String> keys(String prefix) {
    List<String> keys = new ArrayList<>();
    try (S3Client admin = admin(endpoint())) {
      admin.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream()
          .map(S3Object::key)
          .forEach(keys::add);
    }
    return keys;
  }

  private static S3Client admin(URI uri) {
    return S3Client.builder()
        .httpClient(UrlConnectionHttpClient.create())
        .region(Region.US_EAST_1)
        .endpointOverride(uri)
        .forcePathStyle(true)
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .build();
  }
}
