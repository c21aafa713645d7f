package dev.diskstore.spi.index;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One version of an artifact as the index stores it ({@link IndexSession.VersionRows}): a row per
 * change of the artifact at {@code (diskId, path, filename)}.
 *
 * <p>A version with a {@code state} holds one reference to the blob of {@code state.sha256()},
 * counted in that blob's reference count like an artifact row's (the core adds it with {@link
 * IndexSession.BlobRows#addReference} when it inserts the row and releases it when it deletes the
 * row). A version without one records a removal and references nothing.
 *
 * @param version the artifact's version number, from 0
 * @param change the kind of change, the name of a {@link dev.diskstore.ArtifactVersion.Change}
 * @param changedAt microseconds since the epoch
 * @param state the artifact as the change left it ({@code id} 0; on reads, {@code blobKey} is the
 *     blob's key, joined like {@link ArtifactRow}'s; on insert it is ignored), or null for a
 *     removal
 */
public record VersionRow(
    String diskId,
    String path,
    String filename,
    long version,
    String change,
    long changedAt,
    @Nullable ArtifactRow state) {
  public VersionRow {
    Objects.requireNonNull(diskId, "diskId");
    Objects.requireNonNull(path, "path");
    Objects.requireNonNull(filename, "filename");
    Objects.requireNonNull(change, "change");
  }

  /** The SHA-256 of the version's bytes, or null for a removal. */
  public @Nullable String sha256() {
    return state == null ? null : state.sha256();
  }
}
