package dev.diskstore.spi;

import dev.diskstore.internal.BuiltinContentParser;
import dev.diskstore.internal.BuiltinContentTypeDetector;

/**
 * The core's own content handling, for parser modules that extend rather than replace it: the
 * extension-and-magic-number {@link ContentTypeDetector} and the text/JSON/CSV/code
 * {@link ContentParser} the store uses when no other is configured or discovered.
 */
public final class BuiltinContent {
  private BuiltinContent() {}

  /** The built-in detector. Stateless and thread-safe. */
  public static ContentTypeDetector detector() {
    return BuiltinContentTypeDetector.INSTANCE;
  }

  /**
   * The built-in parser. Stateless and thread-safe. Text that has no byte order mark and is not
   * valid UTF-8 is read as Windows-1252 (see {@link dev.diskstore.ArtifactContent#charset()}).
   */
  public static ContentParser parser() {
    return BuiltinContentParser.INSTANCE;
  }

  /**
   * The built-in parser, asking {@code legacyCharset} for the encoding of text that has no byte
   * order mark and is not valid UTF-8 (for a module with a charset detector). It is given up to
   * the first 64 KiB of such a file, never one with a NUL byte, and returns the charset to decode
   * it with (invalid sequences become U+FFFD and the content is marked lossy), or empty for
   * Windows-1252. It must be thread-safe and must not throw. Everything else is as {@link
   * #parser()}.
   */
  public static ContentParser parser(
      java.util.function.Function<byte[], java.util.Optional<java.nio.charset.Charset>>
          legacyCharset) {
    return new BuiltinContentParser(legacyCharset);
  }
}
