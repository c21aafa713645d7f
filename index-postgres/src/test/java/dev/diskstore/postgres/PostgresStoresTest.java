package dev.diskstore.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.s3.S3BlobBackend;
import java.io.ByteArrayInputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The suites' S3 fixture itself: small uploads to the shared S3Proxy never lose their connection
 * (see {@link PostgresStores#backendBuilder}). With {@code aws-chunked} bodies a few percent of
 * such single attempts failed ("Error writing request body to server"), empty bodies about one in
 * six, which made the contract suites on S3 flaky once the SDK's three attempts of a write all
 * failed.
 */
class PostgresStoresTest {

  @Test
  void smallUploadsToTheSharedS3ProxySucceedAtTheFirstAttempt() {
    List<String> failures = new ArrayList<>();
    // one attempt per write: a failure is not hidden by the SDK's retries
    try (S3BlobBackend backend = PostgresStores.backendBuilder("fixture-check/").maxAttempts(1)
        .build()) {
      for (int i = 0; i < 200; i++) {
        // empty bodies (S3Proxy answers at once) and store-marker-sized ones
        byte[] content = new byte[i % 2 == 0 ? 0 : 36];
        try {
          backend.write("check-" + i, new ByteArrayInputStream(content),
              OptionalLong.of(content.length));
        } catch (RuntimeException e) {
          failures.add(i + ": " + e.getMessage());
        }
      }
    }
    assertThat(failures).isEmpty();
  }
}
