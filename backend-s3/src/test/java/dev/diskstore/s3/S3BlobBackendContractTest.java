package dev.diskstore.s3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.diskstore.spi.BlobBackend;
import dev.diskstore.testkit.BlobBackendContract;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * The backend contract over {@link S3BlobBackend} on an in-process S3Proxy with the {@code
 * transient} (in-memory) provider; every test gets its own key prefix in the shared bucket.
 */
class S3BlobBackendContractTest extends BlobBackendContract {
  private static final SharedS3Proxy S3 = new SharedS3Proxy("transient");

  private String prefix = "";

  @BeforeAll
  static void startProxy() throws Exception {
    S3.start();
  }

  @AfterAll
  static void stopProxy() {
    S3.stop();
  }

  @Override
  protected BlobBackend createBackend() {
    prefix = S3.newPrefix();
    return S3.backend(prefix).build();
  }

  @Override
  protected Optional<BlobBackend> reopenBackend() {
    return Optional.of(S3.backend(prefix).build());
  }

  /**
   * The suite's failed writes fail before any upload starts (their content stays below the
   * multipart threshold), so none may leave a multipart upload behind. Runs before the suite's
   * clean-up.
   */
  @AfterEach
  void noMultipartUploadIsLeftInProgress() {
    assertThat(SharedS3Proxy.uploadsInProgress(S3.admin(), prefix)).isEmpty();
  }
}
