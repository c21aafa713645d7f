package dev.diskstore;

import java.util.Objects;

/**
 * Parsed content of an artifact, returned by {@link Artifacts#get} with
 * {@link GetOptions#withContent()}.
 *
 * @param type {@code text}, {@code json}, {@code csv} or {@code code} (the content-parsers module
 *     adds {@code document})
 * @param raw the text; for JSON and CSV the file's raw text, never re-serialised
 * @param truncated whether {@code raw} was cut at the configured maximum
 */
public record ArtifactContent(String type, String raw, boolean truncated) {
  public static final String TEXT = "text";
  public static final String JSON = "json";
  public static final String CSV = "csv";
  public static final String CODE = "code";
  public static final String DOCUMENT = "document";

  public ArtifactContent {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(raw, "raw");
  }
}
