package dev.diskstore.spi;

import dev.diskstore.ArtifactContent;
import dev.diskstore.ContentUnavailable;
import java.io.InputStream;
import java.util.Objects;

/**
 * Extracts text from an artifact for {@code get(..., withContent)}. Must be thread-safe. The core
 * has a built-in parser for text, JSON, CSV and code; the content-parsers module adds documents.
 *
 * <p>A parser never throws for bad input: a file it cannot or will not parse yields
 * {@link Unavailable} with a reason. Only failures to read the bytes (a {@code StorageException}
 * from the opener) propagate.
 *
 * <p><b>Caching.</b> When {@link #isCacheable()} is true, the store keeps each result in its index,
 * keyed by the content's SHA-256, the stored content type, {@link #id()} and {@code maxChars}, and
 * does not call the parser again for the same bytes ({@link ContentUnavailable#TIMEOUT} results are
 * not cached: they may be the machine's fault). Change {@link #id()} when the parser's output
 * changes (a new version), so that old results are not reused.
 */
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

  /** What a parse produced: text, or a reason why there is none. */
  sealed interface Result permits Parsed, Unavailable {}

  /** Extracted text. */
  record Parsed(ArtifactContent content) implements Result {
    public Parsed {
      Objects.requireNonNull(content, "content");
    }
  }

  /**
   * No text, and why.
   *
   * @param reason the machine-readable reason
   * @param detail a short human-readable explanation (for logs)
   */
  record Unavailable(ContentUnavailable reason, String detail) implements Result {
    public Unavailable {
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(detail, "detail");
    }
  }

  /** Parses the artifact. Never throws for bad content; see the class comment. */
  Result parse(Request request);

  /** A stable identifier of this parser and its version, part of the cache key. */
  default String id() {
    return getClass().getName();
  }

  /** Whether results are worth caching in the index (parsing costs more than reading). */
  default boolean isCacheable() {
    return false;
  }
}
