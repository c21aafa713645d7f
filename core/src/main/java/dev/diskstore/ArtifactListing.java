package dev.diskstore;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One level of a directory, as returned by {@link Artifacts#list}.
 *
 * <p>A page holds the sub-directories first (bare names, ordered by name, as in the Acontext
 * quickstart output) and then the files (ordered by filename). Both orders are by the names' UTF-8
 * bytes, which for most text is code-point order. With a {@code limit}, {@link #nextCursor()}
 * continues where this page stopped.
 *
 * @param artifacts files directly in the directory
 * @param directories names of the immediate sub-directories, without slashes
 * @param nextCursor cursor of the next page, present when more entries follow
 */
public record ArtifactListing(
    List<Artifact> artifacts, List<String> directories, Optional<String> nextCursor) {
  public ArtifactListing {
    artifacts = List.copyOf(artifacts);
    directories = List.copyOf(directories);
    Objects.requireNonNull(nextCursor, "nextCursor");
  }

  public boolean hasMore() {
    return nextCursor.isPresent();
  }
}
