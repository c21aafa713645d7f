package dev.diskstore;

import java.util.Objects;

/**
 * Parsed content of an artifact, returned by {@link Artifacts#get} with
 * {@link GetOptions#withContent()}.
 *
 * <p><b>Encodings.</b> Text files need not be UTF-8: a byte order mark (UTF-8, UTF-16LE/BE,
 * UTF-32LE/BE) decides the encoding and is not part of {@code raw}; a file without one that is not
 * valid UTF-8 (and does not look binary) is decoded in a legacy encoding: Windows-1252 with the
 * built-in parser (the superset of ISO-8859-1 that Western "ANSI" text uses), the encoding Tika
 * detects with the content-parsers module. {@link #charset()} says which encoding was used, and
 * {@link #lossy()} whether some bytes could not be decoded in it and were replaced by U+FFFD
 * (Acontext returns such text with replacement characters and no flag). Binary files have no
 * content, whatever their name.
 *
 * @param type {@code text}, {@code json}, {@code csv} or {@code code} (the content-parsers module
 *     adds {@code document})
 * @param raw the text; for JSON and CSV the file's raw text, never re-serialised
 * @param truncated whether {@code raw} was cut at the configured maximum
 * @param charset the Java canonical name of the encoding the bytes were decoded from ({@code
 *     UTF-8}, {@code UTF-16LE}, {@code windows-1252}, {@code Shift_JIS}, ...); {@code UTF-8} also
 *     for text extracted from documents (PDF, Office), which is not a decoding of the file's bytes
 * @param lossy whether bytes that are invalid in {@code charset} were replaced by U+FFFD, so that
 *     {@code raw} is not everything the file says
 */
public record ArtifactContent(
    String type, String raw, boolean truncated, String charset, boolean lossy) {
  public static final String TEXT = "text";
  public static final String JSON = "json";
  public static final String CSV = "csv";
  public static final String CODE = "code";
  public static final String DOCUMENT = "document";

  /** The charset of text that needed no decoding choice: valid UTF-8, or extracted documents. */
  public static final String UTF_8 = "UTF-8";

  public ArtifactContent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(raw, "raw");
    Objects.requireNonNull(charset, "charset");
    if (charset.isEmpty()) {
      throw new IllegalArgumentException("charset must not be empty");
    }
  }

  /** Content decoded from UTF-8 (or extracted from a document), without replacements. */
  public ArtifactContent(String type, String raw, boolean truncated) {
    this(type, raw, truncated, UTF_8, false);
  }
}
