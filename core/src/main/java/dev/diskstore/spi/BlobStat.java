package dev.diskstore.spi;

import java.util.Objects;

/**
 * A blob's key and size.
 *
 * @param key the blob key
 * @param sizeBytes its length in bytes
 */
public record BlobStat(String key, long sizeBytes) {
  public BlobStat {
    Objects.requireNonNull(key, "key");
    if (sizeBytes < 0) {
      throw new IllegalArgumentException("sizeBytes < 0");
    }
  }
}
