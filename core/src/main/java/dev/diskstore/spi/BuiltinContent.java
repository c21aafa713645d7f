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

  /** The built-in parser. Stateless and thread-safe. */
  public static ContentParser parser() {
    return BuiltinContentParser.INSTANCE;
  }
}
