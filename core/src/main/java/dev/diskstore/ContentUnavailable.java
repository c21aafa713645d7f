package dev.diskstore;

import java.util.Locale;

/**
 * Why {@code get(..., withContent)} returned no content: a machine-readable reason, so that callers
 * (and LLM tools) can tell "not a text file" from "password-protected" or "too big to parse".
 */
public enum ContentUnavailable {
  /** The parser does not handle this kind of file (an image, a binary, invalid UTF-8 text). */
  UNSUPPORTED,
  /** The document is encrypted or password-protected. */
  ENCRYPTED,
  /** The document is damaged or not what its type claims. */
  CORRUPT,
  /** The file exceeds the parser's input limit, or expands beyond its limits (a zip bomb). */
  TOO_LARGE,
  /** Parsing took longer than the parser's time limit. */
  TIMEOUT;

  /** The lower-case name used in JSON, e.g. {@code too_large}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
