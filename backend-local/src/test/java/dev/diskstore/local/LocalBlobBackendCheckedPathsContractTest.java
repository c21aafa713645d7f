package dev.diskstore.local;

import dev.diskstore.spi.BlobBackend;
import dev.diskstore.testkit.BlobBackendContract;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend contract over {@link LocalBlobBackend} walking its tree with checked paths, the
 * fallback for platforms without directory handles ({@link BlobTree.Traversal#CHECKED_PATHS}).
 */
class LocalBlobBackendCheckedPathsContractTest extends BlobBackendContract {
  @TempDir Path directory;

  @Override
  protected BlobBackend createBackend() {
    return LocalBlobBackend.at(directory.resolve("store"), BlobTree.Traversal.CHECKED_PATHS);
  }

  @Override
  protected Optional<BlobBackend> reopenBackend() {
    return Optional.of(
        LocalBlobBackend.at(directory.resolve("store"), BlobTree.Traversal.CHECKED_PATHS));
  }
}
