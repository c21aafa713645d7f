package dev.diskstore.spi.index;

import org.jspecify.annotations.Nullable;

/**
 * An artifact row as stored, for verification ({@link IndexSession.Maintenance#scanArtifacts}):
 * the row (with an empty {@code blobKey} when its blob row is missing) and the checksum stored with
 * it (null when the row has none).
 */
public record StoredArtifact(ArtifactRow row, boolean hasBlobRow, @Nullable Long rowCheck) {}
