package dev.diskstore;

import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A stored file: its identity (disk, directory path, filename), its metadata and timestamps.
 * Immutable value; the bytes are read with {@link Artifacts#open}.
 *
 * <p>{@link #meta()} mirrors Acontext: one JSON object holding the user's keys plus the reserved
 * {@code __artifact_info__} key ({@link ArtifactInfo#toMap()}). Use {@link #userMeta()} and
 * {@link #info()} for the two halves.
 *
 * @param diskId the disk holding the artifact
 * @param path the normalised directory, always starting and ending with {@code /}
 * @param filename the file name (one path segment)
 * @param userMeta the user's metadata (a JSON object; values are JSON-shaped Java values)
 * @param info the system metadata
 * @param createdAt first upload of this path; survives re-uploads
 * @param updatedAt last content or metadata change
 */
public record Artifact(
    String diskId,
    String path,
    String filename,
    Map<String, Object> userMeta,
    ArtifactInfo info,
    Instant createdAt,
    Instant updatedAt) {

  public Artifact {
    Objects.requireNonNull(diskId, "diskId");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(filename, "filename");
    Objects.requireNonNull(info, "info");
    Objects.requireNonNull(createdAt, "createdAt");
    Objects.requireNonNull(updatedAt, "updatedAt");
    userMeta = JsonValues.immutableObject(userMeta);
  }

  /** The user's metadata plus {@code __artifact_info__}, as Acontext returns it. */
  public Map<String, Object> meta() {
    Map<String, Object> all = new LinkedHashMap<>();
    all.put(ArtifactInfo.KEY, info.toMap());
    all.putAll(userMeta);
    return Collections.unmodifiableMap(all);
  }

  /** The directory path joined with the filename, e.g. {@code /documents/2024/plan.md}. */
  public String fullPath() {
    return path + filename;
  }

  public String etag() {
    return info.etag();
  }

  public long sizeBytes() {
    return info.sizeBytes();
  }

  public String contentType() {
    return info.contentType();
  }

  public String sha256() {
    return info.sha256();
  }
}
