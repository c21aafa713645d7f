package dev.diskstore.internal;

import java.io.InputStream;
import java.util.Optional;

/**
 * What the built-in URL server asks the store: the current version of an artifact, if any.
 * Implemented by the engine; must be thread-safe.
 */
@FunctionalInterface
public interface UrlResolver {

  /** The current version of an artifact, as the URL server serves it. */
  interface Served {
    String etag();

    String contentType();

    long sizeBytes();

    /** Opens the bytes; the caller closes the stream. Throws a DiskStoreException on failure. */
    InputStream open();
  }

  /** The artifact's current version, or empty when the disk or artifact does not exist. */
  Optional<Served> resolve(String diskId, String path, String filename);
}
