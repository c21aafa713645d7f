package dev.diskstore.spi;

import org.jspecify.annotations.Nullable;

/**
 * Decides an artifact's media type at upsert time from its filename, its first bytes and the type
 * the caller declared. Must be thread-safe and fast (it runs on every upsert). The core has a
 * built-in detector (extension table plus a few magic numbers); the content-parsers module
 * supplies a Tika-based one.
 */
@FunctionalInterface
public interface ContentTypeDetector {
  /**
   * @param filename the artifact's filename
   * @param head the first bytes of the content (up to 8 KiB; the whole content when shorter)
   * @param declaredType the specific type the caller declared, or {@code null} when it declared
   *     none or only a generic one such as {@code application/octet-stream}
   * @return a media type such as {@code text/markdown}; never blank
   */
  String detect(String filename, byte[] head, @Nullable String declaredType);
}
