package dev.diskstore.reliability;

import dev.diskstore.s3.S3BlobBackend;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * An in-process S3Proxy with signature checking on and the {@code filesystem} provider in a
 * directory the test owns, that can be stopped and started again on the same port over the same
 * data: a server that goes away in the middle of requests and comes back. Not thread-safe, except
 * that {@link #stop()} may be called from any thread. The caller closes it.
 */
final class S3Server implements AutoCloseable {
  static final String ACCESS_KEY = "reliability-access";
  static final String SECRET_KEY = "reliability-secret";
  static final String BUCKET = "reliability";

  private final BlobStore blobStore;
  private final int port;
  private volatile S3Proxy proxy;

  S3Server(Path directory) throws Exception {
    Files.createDirectories(directory);
    Properties properties = new Properties();
    properties.setProperty("jclouds.filesystem.basedir", directory.toString());
    properties.setProperty("jclouds.identity", ACCESS_KEY);
    properties.setProperty("jclouds.credential", SECRET_KEY);
    this.blobStore = BlobStores.create("filesystem", properties);
    this.port = freePort();
    start();
  }

  /** Starts serving on the port (again). */
  void start() throws Exception {
    S3Proxy started =
        S3Proxy.builder()
            .blobStore(blobStore)
            .endpoint(endpoint())
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
            .stopTimeout(0)
            .build();
    started.start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (!started.getState().equals("STARTED")) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("S3Proxy did not start: " + started.getState());
      }
      Thread.sleep(5);
    }
    proxy = started;
  }

  /** Stops serving: connections are refused until {@link #start()}. */
  void stop() {
    try {
      proxy.stop();
    } catch (Exception e) {
      throw new IllegalStateException("cannot stop S3Proxy", e);
    }
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + port);
  }

  @Override
  public void close() {
    stop();
    blobStore.close();
  }

  /**
   * A backend builder for the bucket and {@code prefix}, with the server's credentials. Every
   * backend of the suites, in this JVM and in the worker JVMs ({@link CrashWorker}, {@link
   * StoreSpec}), comes from here. {@code chunkedEncoding(false)}, as in backend-s3's {@code
   * SharedS3Proxy}: on an {@code aws-chunked} upload (the SDK's default over plain HTTP) S3Proxy
   * 4.1.0 reads only the declared decoded length of the body, stores the object and answers; when
   * the final chunk and the checksum trailer have not arrived yet, the connection is closed under
   * the client, which fails with "Error writing request body to server" although the object was
   * stored. Plain bodies are read to the end.
   */
  static S3BlobBackend.Builder backendBuilder(URI endpoint, String prefix) {
    return S3BlobBackend.builder()
        .bucket(BUCKET)
        .keyPrefix(prefix)
        .region("us-east-1")
        .endpoint(endpoint)
        .pathStyleAccess(true)
        .credentials(ACCESS_KEY, SECRET_KEY)
        .chunkedEncoding(false);
  }

  /** A plain S3 client for inspection; the caller closes it. */
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

  /** Keys of all objects under {@code prefix}. */
  static List<String> objects(S3Client admin, String prefix) {
    return admin.listObjectsV2Paginator(b -> b.bucket(BUCKET).prefix(prefix)).contents().stream()
        .map(S3Object::key)
        .toList();
  }

  /** Multipart uploads in progress under {@code prefix}. */
  static List<MultipartUpload> uploadsInProgress(S3Client admin, String prefix) {
    List<MultipartUpload> uploads = new ArrayList<>();
    admin
        .listMultipartUploadsPaginator(b -> b.bucket(BUCKET).prefix(prefix))
        .uploads()
        .forEach(uploads::add);
    return uploads;
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}
