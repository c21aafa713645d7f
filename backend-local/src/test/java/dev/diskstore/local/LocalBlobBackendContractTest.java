package dev.diskstore.local;

import dev.diskstore.spi.BlobBackend;
import dev.diskstore.testkit.BlobBackendContract;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;

/** The backend contract over {@link LocalBlobBackend} in a fresh temporary directory per test. */
class LocalBlobBackendContractTest extends BlobBackendContract {
  @TempDir Path directory;

  @Override
  protected BlobBackend createBackend() {
    return LocalBlobBackend.at(directory.resolve("store"));
  }

  @Override
  protected Optional<BlobBackend> reopenBackend() {
    return Optional.of(LocalBlobBackend.at(directory.resolve("store")));
  }
}
