package dev.diskstore.local;

import dev.diskstore.spi.BlobBackend;
import dev.diskstore.spi.BlobBackendProvider;
import java.nio.file.Path;

/**
 * Makes {@link LocalBlobBackend} discoverable under the name {@code "local"} through {@link
 * java.util.ServiceLoader}, for {@link dev.diskstore.DiskStore#local(Path)}. Explicit wiring uses
 * {@link LocalBlobBackend#at(Path)} directly. Stateless and thread-safe; the caller owns (and
 * closes) each backend it opens.
 */
public final class LocalBlobBackendProvider implements BlobBackendProvider {

  /** Public for {@link java.util.ServiceLoader}. */
  public LocalBlobBackendProvider() {}

  /** {@code "local"}. */
  @Override
  public String name() {
    return "local";
  }

  /** {@link LocalBlobBackend#at(Path) LocalBlobBackend.at(directory)}. */
  @Override
  public BlobBackend openDirectory(Path directory) {
    return LocalBlobBackend.at(directory);
  }
}
