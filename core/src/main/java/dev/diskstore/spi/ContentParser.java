package dev.diskstore.spi;

import dev.diskstore.ArtifactContent;
import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;

/**
 * Extracts text from an artifact for {@code get(..., withContent)}. Must be thread-safe. The core
 * has a built-in parser for text, JSON, CSV and code; the content-parsers module adds documents.
 *
 * <p>A parser never throws for bad input: a file it cannot or will not parse yields
 * {@link Optional#empty()}.
 */
@FunctionalInterface
public interface ContentParser {

  /** Opens the artifact's bytes; each call returns a fresh stream that the caller closes. */
  @FunctionalInterface
  interface ContentOpener {
    InputStream open();
  }

  /**
   * One parse request.
   *
   * @param filename the artifact's filename
   * @param contentType its stored media type
   * @param sizeBytes its length
   * @param maxChars the most characters to return; longer text is cut and marked truncated
   * @param opener opens the bytes
   */
  record Request(
      String filename, String contentType, long sizeBytes, int maxChars, ContentOpener opener) {
    public Request {
      Objects.requireNonNull(filename, "filename");
      Objects.requireNonNull(contentType, "contentType");
      Objects.requireNonNull(opener, "opener");
      if (maxChars < 0) {
        throw new IllegalArgumentException("maxChars < 0");
      }
    }
  }

  /** The parsed content, or empty if this parser does not handle the file. */
  Optional<ArtifactContent> parse(Request request);
}
