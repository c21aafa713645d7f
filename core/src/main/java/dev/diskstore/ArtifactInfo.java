package dev.diskstore;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The system metadata of an artifact, exposed to JSON as the {@code __artifact_info__} key of
 * {@link Artifact#meta()}.
 *
 * @param sizeBytes content length in bytes
 * @param contentType detected (or supplied) media type, e.g. {@code text/markdown}
 * @param lastModified when the bytes were last written (metadata updates do not move it)
 * @param sha256 lowercase hex SHA-256 of the bytes
 * @param etag opaque version tag; changes on every content or metadata change
 */
public record ArtifactInfo(
    long sizeBytes, String contentType, Instant lastModified, String sha256, String etag) {
  /** The reserved metadata key under which this record appears in {@link Artifact#meta()}. */
  public static final String KEY = "__artifact_info__";

  public ArtifactInfo {
    if (sizeBytes < 0) {
      throw new IllegalArgumentException("sizeBytes < 0");
    }
    Objects.requireNonNull(contentType, "contentType");
    Objects.requireNonNull(lastModified, "lastModified");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(etag, "etag");
  }

  /** This record as the JSON-shaped map stored under {@link #KEY}. */
  public Map<String, Object> toMap() {
    Map<String, Object> map = new LinkedHashMap<>();
    map.put("size_bytes", sizeBytes);
    map.put("content_type", contentType);
    map.put("last_modified", lastModified.toString());
    map.put("sha256", sha256);
    map.put("etag", etag);
    return java.util.Collections.unmodifiableMap(map);
  }
}
