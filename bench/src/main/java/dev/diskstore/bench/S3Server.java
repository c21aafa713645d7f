package dev.diskstore.bench;

import dev.diskstore.s3.S3BlobBackend;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import org.gaul.s3proxy.junit.S3ProxyJunitCore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An in-process S3Proxy (filesystem provider in a temporary directory, signature checking on),
 * started with S3Proxy's JUnit-free core, and the S3 client settings that DiskStore's backend and
 * the raw baseline share: URL-connection HTTP client, path-style access, plain (not {@code
 * aws-chunked}) bodies and checksums only where required (dependencies.md: the settings that matter
 * for speed against S3Proxy). {@link #close()} stops the proxy and deletes its directory.
 */
final class S3Server implements AutoCloseable {
  static final String ACCESS_KEY = "bench-access";
  static final String SECRET_KEY = "bench-secret";
  static final String BUCKET = "bench";
  static final String REGION = "us-east-1";

  private final S3ProxyJunitCore proxy;
  private final S3Client admin;

  S3Server() throws Exception {
    proxy =
        new S3ProxyJunitCore.Builder()
            .withCredentials(ACCESS_KEY, SECRET_KEY)
            .withBlobStoreProvider("filesystem")
            .build();
    proxy.beforeEach();
    admin = client();
    admin.createBucket(b -> b.bucket(BUCKET));
  }

  URI endpoint() {
    return proxy.getUri();
  }

  /** A raw S3 client with the shared settings; the caller closes it. */
  S3Client client() {
    return S3Client.builder()
        .httpClient(UrlConnectionHttpClient.create())
        .region(Region.of(REGION))
        .endpointOverride(endpoint())
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .serviceConfiguration(
            S3Configuration.builder().pathStyleAccessEnabled(true).chunkedEncodingEnabled(false)
                .build())
        .build();
  }

  /** DiskStore's S3 backend with the same settings, under {@code prefix}. */
  S3BlobBackend backend(String prefix) {
    return S3BlobBackend.builder()
        .bucket(BUCKET)
        .keyPrefix(prefix)
        .region(REGION)
        .endpoint(endpoint())
        .pathStyleAccess(true)
        .credentials(ACCESS_KEY, SECRET_KEY)
        .chunkedEncoding(false)
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .build();
  }

  /** Deletes every object of the bucket (between iterations, to bound disk use). */
  void emptyBucket() {
    while (true) {
      ListObjectsV2Response page = admin.listObjectsV2(b -> b.bucket(BUCKET).maxKeys(1000));
      if (page.contents().isEmpty()) {
        return;
      }
      List<ObjectIdentifier> ids = new ArrayList<>();
      for (S3Object o : page.contents()) {
        ids.add(ObjectIdentifier.builder().key(o.key()).build());
      }
      admin.deleteObjects(b -> b.bucket(BUCKET).delete(d -> d.objects(ids)));
    }
  }

  @Override
  public void close() {
    admin.close();
    proxy.afterEach();
  }
}
