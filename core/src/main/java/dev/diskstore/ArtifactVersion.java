package dev.diskstore;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One version of an artifact ({@link Artifacts#versions}): what one change made of the artifact at
 * a disk, directory and filename. Versions are numbered per artifact from 0, one more per change,
 * with no gaps and no duplicates (garbage collection and {@link Artifacts#deleteVersions} remove
 * old ones; numbers are never reused while the artifact's newest version is kept).
 *
 * @param version the number of this version
 * @param change what made this version
 * @param changedAt when the change was committed (the store's clock)
 * @param artifact the artifact as this change left it, exactly as {@link Artifacts#get} returned it
 *     then (bytes, user metadata, etag, times); empty when the change removed it ({@link
 *     Change#DELETED}, {@link Change#MOVED_AWAY})
 */
public record ArtifactVersion(
    long version, Change change, Instant changedAt, Optional<Artifact> artifact) {

  /** What made a version. */
  public enum Change {
    /** New bytes (and metadata) by {@link Artifacts#upsert}. */
    UPSERTED,
    /** New user metadata by {@link Artifacts#update}. */
    UPDATED,
    /** The artifact arrived here by {@link Artifacts#move} (replacing what was here, if any). */
    MOVED_IN,
    /** The artifact left for another path by {@link Artifacts#move}. */
    MOVED_AWAY,
    /** The artifact was deleted ({@link Artifacts#delete}, {@link Artifacts#deleteAll}). */
    DELETED,
    /** An earlier version was made current again by {@link Artifacts#restore}. */
    RESTORED
  }

  public ArtifactVersion {
    Objects.requireNonNull(change, "change");
    Objects.requireNonNull(changedAt, "changedAt");
    Objects.requireNonNull(artifact, "artifact");
    if (version < 0) {
      throw new IllegalArgumentException("version must be >= 0, was " + version);
    }
  }

  /** Whether this version records the artifact's removal from this path (no content). */
  public boolean isRemoval() {
    return artifact.isEmpty();
  }
}
