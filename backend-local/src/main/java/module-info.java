/**
 * Blobs in a local directory: {@code dev.diskstore.local.LocalBlobBackend}, the backend of {@code
 * DiskStore.local}, which finds it through the {@code BlobBackendProvider} this module provides.
 */
module dev.diskstore.backend.local {
  requires transitive dev.diskstore.core;
  requires static org.jspecify;

  exports dev.diskstore.local;

  provides dev.diskstore.spi.BlobBackendProvider with
      dev.diskstore.local.LocalBlobBackendProvider;
}
