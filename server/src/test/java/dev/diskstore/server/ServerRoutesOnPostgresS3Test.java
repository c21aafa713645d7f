package dev.diskstore.server;

import dev.diskstore.DiskStore;
import dev.diskstore.DiskStoreConfig;
import dev.diskstore.postgres.PostgresIndex;
import dev.diskstore.s3.S3BlobBackend;
import dev.diskstore.testkit.postgres.EmbeddedPostgresServer;
import java.util.UUID;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@link ServerRoutesTest} unchanged on the PostgreSQL index (embedded PostgreSQL, a fresh schema
 * per test) and S3 blobs (S3Proxy in process). Download URLs are then S3 presigned URLs (the
 * backend's own signer wins over the material signer), so the material-URL test is skipped here.
 */
class ServerRoutesOnPostgresS3Test extends ServerRoutesTest {
  private static final String ACCESS = "server-access";
  private static final String SECRET = "server-secret";
  private static final String BUCKET = "server-test";

  /** A fresh S3Proxy per test (the extension starts one before each test), blobs in memory. */
  @RegisterExtension
  final S3ProxyExtension s3 =
      S3ProxyExtension.builder()
          .withCredentials(ACCESS, SECRET)
          .withBlobStoreProvider("transient")
          .build();

  private EmbeddedPostgresServer.FreshSchema schema;

  @Override
  TestServer newServer() {
    schema = EmbeddedPostgresServer.shared().freshSchema();
    try (S3Client admin =
        S3Client.builder()
            .httpClient(UrlConnectionHttpClient.create())
            .region(Region.US_EAST_1)
            .endpointOverride(s3.getUri())
            .forcePathStyle(true)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS, SECRET)))
            .build()) {
      admin.createBucket(b -> b.bucket(BUCKET));
    }
    S3BlobBackend backend =
        S3BlobBackend.builder()
            .bucket(BUCKET)
            .keyPrefix("t-" + UUID.randomUUID() + "/")
            .region("us-east-1")
            .endpoint(s3.getUri())
            .pathStyleAccess(true)
            .credentials(ACCESS, SECRET)
            .chunkedEncoding(false) // see SharedS3Proxy in backend-s3: S3Proxy 4.1 and aws-chunked
            .build();
    return new TestServer(
        urls ->
            DiskStore.open(
                DiskStoreConfig.builder()
                    .directory(dir.resolve("store"))
                    .index(
                        PostgresIndex.builder()
                            .jdbcUrl(EmbeddedPostgresServer.shared().jdbcUrl())
                            .user(EmbeddedPostgresServer.shared().user())
                            .password("unused")
                            .schema(schema.name())
                            .build())
                    .backend(backend)
                    .publicUrlSigner(urls.orBackendSigner(backend))
                    .build()),
        b -> b,
        "any-token");
  }

  @Override
  boolean servesMaterialUrls() {
    return false;
  }

  /**
   * Closes the server and store first, then drops the schema: a subclass's own {@code @AfterEach}
   * would run before the superclass's and drop the schema under a store still open (a deadlock
   * with its background work, one CI run).
   */
  @Override
  @AfterEach
  void stop() {
    try {
      super.stop();
    } finally {
      if (schema != null) {
        schema.close();
      }
    }
  }
}
