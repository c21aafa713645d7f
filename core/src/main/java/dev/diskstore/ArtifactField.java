package dev.diskstore;

import java.time.Instant;

/**
 * The system fields of an artifact that a {@link Query} can filter on and a {@link QuerySort} can
 * order by. Each field takes values of one Java type, {@link #valueType()}: a {@code long}
 * ({@link Long}), a {@link String} or an {@link Instant}.
 */
public enum ArtifactField {
  /** {@link ArtifactInfo#sizeBytes()}; takes a {@code long}. */
  SIZE_BYTES(Long.class),
  /** {@link ArtifactInfo#contentType()} exactly as stored (case-sensitive); takes a string. */
  CONTENT_TYPE(String.class),
  /** {@link Artifact#createdAt()}; takes an {@link Instant}. */
  CREATED_AT(Instant.class),
  /** {@link Artifact#updatedAt()}; takes an {@link Instant}. */
  UPDATED_AT(Instant.class),
  /** {@link ArtifactInfo#lastModified()} (when the bytes were last written); takes an {@link Instant}. */
  LAST_MODIFIED(Instant.class),
  /**
   * {@link Artifact#path()}, the directory; takes a string, normalised like any directory path
   * ({@code "docs"} means {@code "/docs/"}). Sorting by it orders by the full path: directory,
   * then filename.
   */
  PATH(String.class),
  /** {@link Artifact#filename()}; takes a string (NFC-normalised before comparing). */
  FILENAME(String.class),
  /** {@link ArtifactInfo#sha256()}, lowercase hex; takes a string (lower-cased before comparing). */
  SHA256(String.class);

  private final Class<?> valueType;

  ArtifactField(Class<?> valueType) {
    this.valueType = valueType;
  }

  /** {@code Long.class}, {@code String.class} or {@code Instant.class}. */
  public Class<?> valueType() {
    return valueType;
  }
}
