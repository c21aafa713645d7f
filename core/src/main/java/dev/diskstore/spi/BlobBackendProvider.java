package dev.diskstore.spi;

import java.nio.file.Path;

/**
 * Discovery hook behind {@link dev.diskstore.DiskStore#local(Path)}: a backend module registers an
 * implementation in {@code META-INF/services/dev.diskstore.spi.BlobBackendProvider} so that the
 * zero-config entry point can find the local-directory backend without core depending on it.
 * Explicit wiring ({@code DiskStoreConfig.builder().backend(...)}) never uses this.
 */
public interface BlobBackendProvider {
  /** The kind of backend, e.g. {@code "local"}. */
  String name();

  /** Opens (creating if needed) a backend storing its blobs under {@code directory}. */
  BlobBackend openDirectory(Path directory);
}
