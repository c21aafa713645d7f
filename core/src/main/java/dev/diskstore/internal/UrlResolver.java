package dev.diskstore.internal;

import dev.diskstore.ByteRange;
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

    /** SHA-256 of the bytes, lowercase hex. */
    String sha256();

    /**
     * Opens the bytes of {@code range} (clipped to {@link #sizeBytes()}); the caller closes the
     * stream. A whole read ({@code ByteRange.from(0)}) is checked against the recorded size and
     * SHA-256 as it streams: the read that reaches the end throws {@link
     * dev.diskstore.CorruptContentException} if the bytes are damaged; no read ever returns a byte
     * beyond the recorded size. Throws a DiskStoreException on failure to open.
     */
    InputStream open(ByteRange range);

    /** The whole blob, checked; see {@link #open(ByteRange)}. */
    default InputStream open() {
      return open(ByteRange.from(0));
    }
  }

  /** The artifact's current version, or empty when the disk or artifact does not exist. */
  Optional<Served> resolve(String diskId, String path, String filename);

  /**
   * The artifact's version {@code version} (the current one when empty), or empty when the disk,
   * the artifact or that version (with content) does not exist. The default knows no history.
   */
  default Optional<Served> resolve(
      String diskId, String path, String filename, java.util.OptionalLong version) {
    return version.isEmpty() ? resolve(diskId, path, filename) : Optional.empty();
  }
}
