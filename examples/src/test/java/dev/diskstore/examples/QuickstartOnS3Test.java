package dev.diskstore.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.gaul.s3proxy.junit.S3ProxyExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The quickstart as the README runs it against S3: system properties name the bucket and endpoint,
 * credentials come from the SDK's default chain. Here the S3 server is an in-process S3Proxy with
 * signature checking on.
 */
class QuickstartOnS3Test {
  @RegisterExtension
  static final S3ProxyExtension S3 =
      S3ProxyExtension.builder()
          .withCredentials("quickstart-access", "quickstart-secret")
          .withBlobStoreProvider("transient")
          .build();

  private static final Map<String, String> PROPERTIES =
      Map.of(
          "aws.accessKeyId", "quickstart-access",
          "aws.secretAccessKey", "quickstart-secret",
          "diskstore.s3.bucket", "quickstart",
          "diskstore.s3.pathStyle", "true",
          "diskstore.s3.chunkedEncoding", "false");

  @AfterEach
  void clearProperties() {
    PROPERTIES.keySet().forEach(System::clearProperty);
    System.clearProperty("diskstore.s3.endpoint");
  }

  @Test
  void runsEveryStepWithBlobsInABucket(@TempDir Path dir) {
    try (S3Client admin =
        S3Client.builder()
            .httpClient(UrlConnectionHttpClient.create())
            .region(Region.US_EAST_1)
            .endpointOverride(S3.getUri())
            .forcePathStyle(true)
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create("quickstart-access", "quickstart-secret")))
            .build()) {
      admin.createBucket(b -> b.bucket("quickstart"));
      PROPERTIES.forEach(System::setProperty);
      System.setProperty("diskstore.s3.endpoint", S3.getUri().toString());

      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      int status;
      try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
        status = Quickstart.run(dir, out);
      }
      String output = bytes.toString(StandardCharsets.UTF_8);
      assertThat(status).as(output).isZero();
      assertThat(output)
          .contains("(blobs in s3://quickstart")
          .contains("✓ Uploaded: notes.md")
          .contains("✓ Download URL: " + S3.getUri() + "/quickstart/quickstart/")
          .contains("X-Amz-Signature=")
          .contains("✓ Cleaned up resources");
      // the clean-up deleted the blobs again (garbage collection of unreferenced bytes); only the
      // store marker remains
      assertThat(admin.listObjectsV2(b -> b.bucket("quickstart")).contents())
          .extracting(o -> o.key())
          .containsExactly("quickstart/" + dev.diskstore.spi.BlobKeys.STORE_MARKER + ".blob");
    }
  }
}
