package dev.diskstore;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * One page of {@link Artifacts#versions}: an artifact's versions, newest first.
 *
 * @param items the versions of this page, newest first
 * @param nextCursor the opaque cursor of the next (older) page, present when more may follow
 */
public record ArtifactVersionPage(List<ArtifactVersion> items, Optional<String> nextCursor) {
  public ArtifactVersionPage {
    items = List.copyOf(items);
    Objects.requireNonNull(nextCursor, "nextCursor");
  }

  /** Whether another page follows ({@link #nextCursor()} is present). */
  public boolean hasMore() {
    return nextCursor.isPresent();
  }
}
